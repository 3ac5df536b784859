/**
 * The Files API on the simulator (evolink-api.md §12, §15): base64, multipart stream and URL
 * uploads, images only, a size cap, a file-count quota, `expires_at` 72 h after upload, and
 * errors as `{success:false, code:<4xxxx>, msg}` with HTTP 400. Bytes are kept in memory under
 * a count and byte bound and served back from the same server.
 */
import type { IncomingMessage } from "node:http";
import { request } from "undici";
import { isPlainObject } from "../../../canonical-json.js";
import { readCapped } from "../../../net/read-capped.js";
import { readMultipart } from "../../../simulator-kit/multipart.js";
import { randomId } from "../../../simulator-kit/util.js";

export class FilesError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export interface StoredFile {
  id: string;
  name: string;
  path: string;
  mime: string;
  bytes: Buffer;
  uploadedMs: number;
}

export interface FilesOptions {
  maxFileBytes: number;
  maxFiles: number;
  /** Memory bound across all files kept. */
  maxTotalBytes: number;
}

export const FILE_LIFETIME_MS = 72 * 3600 * 1000;

/** The image type from the first bytes, so a renamed file is judged by what it is. */
function sniffImage(b: Buffer): string | undefined {
  if (b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])))
    return "image/png";
  if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return "image/jpeg";
  if (b.subarray(0, 4).toString("latin1") === "GIF8") return "image/gif";
  if (
    b.subarray(0, 4).toString("latin1") === "RIFF" &&
    b.subarray(8, 12).toString("latin1") === "WEBP"
  )
    return "image/webp";
  return undefined;
}

const EXT: Record<string, string> = {
  "image/png": "png",
  "image/jpeg": "jpg",
  "image/gif": "gif",
  "image/webp": "webp",
};

export class SimFiles {
  private readonly byId = new Map<string, StoredFile>();
  private keptBytes = 0;

  constructor(
    private readonly opts: FilesOptions,
    private readonly baseUrl: () => string,
  ) {}

  get count(): number {
    return this.byId.size;
  }

  get totalBytes(): number {
    return this.keptBytes;
  }

  /** A base64 JSON body of the largest allowed file, with room for the fields around it. */
  get maxJsonBytes(): number {
    return Math.ceil((this.opts.maxFileBytes * 4) / 3) + 64 * 1024;
  }

  get(id: string): StoredFile | undefined {
    return this.byId.get(id);
  }

  quota() {
    const used = this.byId.size;
    const { maxFiles } = this.opts;
    return {
      user_group: "default",
      used_files: used,
      max_files: maxFiles,
      remain_files: maxFiles - used,
      is_custom: false,
      quota_reason: "",
    };
  }

  async fromBase64(body: unknown, nowMs: number) {
    if (!isPlainObject(body) || typeof body.base64_data !== "string")
      throw new FilesError(40000, "base64_data is required");
    const data = body.base64_data.replace(/^data:[^;,]*;base64,/, "");
    return this.store(Buffer.from(data, "base64"), body, nowMs);
  }

  async fromStream(req: IncomingMessage, nowMs: number) {
    const { fields, file } = await readMultipart(req, () => this.opts.maxFileBytes);
    if (!file) throw new FilesError(40000, "the multipart field 'file' is required");
    if (file.size > this.opts.maxFileBytes) throw this.tooLarge();
    const naming = {
      upload_path: fields.get("upload_path") ?? fields.get("uploadPath"),
      file_name: fields.get("file_name") ?? fields.get("fileName") ?? file.filename,
    };
    return this.store(file.bytes, naming, nowMs);
  }

  /** The simulator fetches only from loopback: it must never become a way out to the network. */
  async fromUrl(body: unknown, nowMs: number) {
    if (!isPlainObject(body) || typeof body.file_url !== "string")
      throw new FilesError(40000, "file_url is required");
    let url: URL;
    try {
      url = new URL(body.file_url);
    } catch {
      throw new FilesError(40004, "file_url is not a URL");
    }
    if (url.protocol !== "http:" || !["127.0.0.1", "localhost", "[::1]"].includes(url.hostname)) {
      throw new FilesError(40004, "the simulator only downloads from loopback http URLs");
    }
    let bytes: Buffer;
    try {
      const res = await request(url, { signal: AbortSignal.timeout(10_000) });
      if (res.statusCode !== 200) {
        await res.body.dump();
        throw new FilesError(40004, `download failed: HTTP ${res.statusCode}`);
      }
      bytes = await readCapped(res.body, this.opts.maxFileBytes, () => this.tooLarge());
    } catch (err) {
      throw err instanceof FilesError ? err : new FilesError(40004, "download failed");
    }
    return this.store(
      bytes,
      { ...body, file_name: body.file_name ?? url.pathname.split("/").pop() },
      nowMs,
    );
  }

  private tooLarge(): FilesError {
    return new FilesError(40001, `file is larger than ${this.opts.maxFileBytes} bytes`);
  }

  private store(bytes: Buffer, naming: Record<string, unknown>, nowMs: number) {
    if (bytes.length === 0) throw new FilesError(40000, "the file is empty");
    if (bytes.length > this.opts.maxFileBytes) throw this.tooLarge();
    const mime = sniffImage(bytes);
    if (!mime)
      throw new FilesError(
        40002,
        "only image/jpeg, image/png, image/gif and image/webp are accepted",
      );
    if (this.byId.size >= this.opts.maxFiles)
      throw new FilesError(40003, "the file quota is used up");
    this.makeRoom(bytes.length);
    const id = randomId("file");
    const path =
      typeof naming.upload_path === "string" && /^[\w-]{1,64}$/.test(naming.upload_path)
        ? naming.upload_path
        : "uploads";
    const given =
      typeof naming.file_name === "string"
        ? naming.file_name.replace(/[^\w.-]/g, "_").slice(0, 100)
        : "";
    const name = given || `${id}.${EXT[mime]}`;
    const file: StoredFile = { id, name, path, mime, bytes, uploadedMs: nowMs };
    this.byId.set(id, file);
    this.keptBytes += bytes.length;
    return this.describe(file);
  }

  /** Past the byte bound the oldest files go, like files expiring early. */
  private makeRoom(incoming: number): void {
    for (const [id, f] of this.byId) {
      if (this.keptBytes + incoming <= this.opts.maxTotalBytes) return;
      this.byId.delete(id);
      this.keptBytes -= f.bytes.length;
    }
  }

  private describe(f: StoredFile) {
    const base = this.baseUrl();
    return {
      file_id: f.id,
      file_name: f.name,
      original_name: f.name,
      file_size: f.bytes.length,
      mime_type: f.mime,
      upload_path: f.path,
      file_url: `${base}/files/${f.id}/${encodeURIComponent(f.name)}`,
      download_url: `${base}/api/v1/files/download/${f.id}`,
      upload_time: new Date(f.uploadedMs).toISOString(),
      expires_at: new Date(f.uploadedMs + FILE_LIFETIME_MS).toISOString(),
    };
  }
}
