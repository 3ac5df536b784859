/**
 * Uploaded files, scoped to the account that uploaded them, plus their public CDN bytes.
 * Bounded in count and total bytes (the oldest go first); URLs are made on read from the
 * current base URL, so they still resolve when a restarted simulator has a new port.
 */
import type { MediaKind } from "../../../catalog/types.js";
import type { UploadedPart } from "../../../simulator-kit/multipart.js";
import { iso, randomId } from "../../../simulator-kit/util.js";
import type { Account } from "./accounts.js";

export interface PublicFile {
  id: string;
  object: "file";
  url: string;
  kind: MediaKind;
  name: string;
  mime_type: string;
  size_bytes: number;
  created_at: string;
  duration_seconds?: number;
  duration_token?: string;
}

type StoredMeta = Omit<PublicFile, "url">;

interface StoredFile {
  meta: StoredMeta;
  owner: Account;
  bytes: Buffer;
}

/** A file as saved to disk: metadata and owner key; the bytes are saved on their own. */
export interface SavedFile {
  meta: StoredMeta;
  ownerKey: string;
}

/** Where file bytes go when the simulator keeps its state on disk. */
export interface FileBytesDisk {
  write(id: string, bytes: Buffer): Promise<void>;
  read(id: string): Promise<Buffer | undefined>;
  remove(id: string): void;
}

export interface FileLimits {
  files: number;
  fileBytes: number;
}

const cdnPath = (m: StoredMeta) => `/cdn/files/${m.id}/${encodeURIComponent(m.name)}`;

export class UploadedFiles {
  /** Oldest first (Map order), which is also eviction order. */
  private readonly byId = new Map<string, StoredFile>();
  private bytesHeld = 0;

  constructor(
    private readonly limits: FileLimits,
    private readonly baseUrl: () => string,
    private readonly disk?: FileBytesDisk,
  ) {}

  get count(): number {
    return this.byId.size;
  }

  get totalBytes(): number {
    return this.bytesHeld;
  }

  async add(
    owner: Account,
    kind: MediaKind,
    upload: UploadedPart,
    mime: string,
    now: number,
  ): Promise<PublicFile> {
    const id = randomId("file");
    const name =
      upload.filename.replace(/\p{Cc}/gu, "").slice(-200) || `upload.${mime.split("/")[1]}`;
    const meta: StoredMeta = {
      id,
      object: "file",
      kind,
      name,
      mime_type: mime,
      size_bytes: upload.size,
      created_at: iso(now),
    };
    if (kind !== "image") {
      // Duration is not measured; any plausible value plus a token to echo back will do.
      meta.duration_seconds = 5;
      meta.duration_token = randomId("dtok");
    }
    await this.disk?.write(id, upload.bytes);
    this.keep({ meta, owner, bytes: upload.bytes });
    return this.publicMeta(meta);
  }

  /** Metadata for the owner; another account's file is reported as missing. */
  meta(id: string, owner: Account): PublicFile | undefined {
    const stored = this.byId.get(id);
    return stored && stored.owner === owner ? this.publicMeta(stored.meta) : undefined;
  }

  /** Public CDN download (no auth, like a signed URL). */
  download(id: string): { mime: string; bytes: Buffer } | undefined {
    const stored = this.byId.get(id);
    return stored && { mime: stored.meta.mime_type, bytes: stored.bytes };
  }

  save(): SavedFile[] {
    return [...this.byId.values()].map((f) => ({ meta: f.meta, ownerKey: f.owner.key }));
  }

  /** Restores saved files whose owner and bytes are still there. */
  async load(saved: readonly SavedFile[], ownerOf: (key: string) => Account | undefined) {
    for (const { meta, ownerKey } of saved) {
      const owner = ownerOf(ownerKey);
      const bytes = owner && (await this.disk?.read(meta.id));
      if (owner && bytes) this.keep({ meta, owner, bytes });
    }
  }

  private keep(file: StoredFile): void {
    this.byId.set(file.meta.id, file);
    this.bytesHeld += file.bytes.length;
    for (const [id, oldest] of this.byId) {
      const over = this.byId.size > this.limits.files || this.bytesHeld > this.limits.fileBytes;
      if (!over || oldest === file) break;
      this.byId.delete(id);
      this.bytesHeld -= oldest.bytes.length;
      this.disk?.remove(id);
    }
  }

  private publicMeta(meta: StoredMeta): PublicFile {
    return { ...meta, url: `${this.baseUrl()}${cdnPath(meta)}` };
  }
}
