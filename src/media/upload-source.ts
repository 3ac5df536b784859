/**
 * Where upload_reference's bytes come from: a local file (held open and streamed later from
 * that descriptor, only its head is read here), an https URL (fetched with the SSRF guard,
 * cut off at the model's limit), or base64 (sized from its length before decoding). Each
 * reports the real content type.
 */
import { basename } from "node:path";
import { formatBytes } from "../catalog/files-policy.js";
import type { ModelTable } from "../catalog/types.js";
import { ToolInputError } from "../errors/tool-error.js";
import { openAllowedFile } from "./local-file.js";

export interface ReferenceSource {
  path?: string | undefined;
  url?: string | undefined;
  base64?: string | undefined;
  filename?: string | undefined;
}

export interface LoadedReference {
  /** The bytes in memory, or a Blob streamed from an open local file. */
  data: Uint8Array | Blob;
  size: number;
  mime: string | undefined;
  filename: string;
  /** Where the bytes came from, in words. */
  source: string;
  /** Closes the local file once the upload is over (a no-op for other sources). */
  release(): Promise<void>;
}

const nothingToRelease = async () => {};

export interface LoadOptions {
  model: ModelTable;
  /** Folders local paths may come from; null where paths are not allowed (hosted mode). */
  allowedDirs: readonly string[] | null;
  blockPrivateUrls: boolean;
  signal: AbortSignal;
}

export function tooLarge(size: number, limit: number, model: ModelTable): ToolInputError {
  return new ToolInputError(
    `The file is ${formatBytes(size)}; ${model.id} accepts references up to ${formatBytes(limit)}. Resize or compress it.`,
  );
}

const largestLimit = (model: ModelTable) =>
  Math.max(0, ...(model.referenceMedia?.kinds.map((k) => k.maxBytes) ?? []));

// file-type and safe-fetch load on first use: a stdio start does not need them.
const sniffBytes = async (data: Uint8Array) => (await import("file-type")).fileTypeFromBuffer(data);

async function fromPath(path: string, src: ReferenceSource, o: LoadOptions, limit: number) {
  if (!o.allowedDirs) {
    throw new ToolInputError(
      "path is not available on a hosted server; send the file as url or base64.",
    );
  }
  const file = await openAllowedFile(path, o.allowedDirs);
  try {
    if (file.size > limit) throw tooLarge(file.size, limit, o.model);
    // Sniffed from the open descriptor too, so the type checked is the type sent.
    const type = await (await import("file-type")).fileTypeFromBlob(file.blob);
    return {
      data: file.blob,
      size: file.size,
      mime: type?.mime,
      filename: src.filename ?? basename(file.path),
      source: `local file ${file.path}`,
      release: file.close,
    };
  } catch (err) {
    await file.close();
    throw err;
  }
}

async function fromUrl(url: string, src: ReferenceSource, o: LoadOptions, limit: number) {
  const { safeFetch } = await import("../net/safe-fetch.js");
  const body = await safeFetch(url, {
    maxBytes: limit,
    blockPrivate: o.blockPrivateUrls,
    signal: o.signal,
  });
  const type = await sniffBytes(body.bytes);
  const filename = src.filename ?? (basename(new URL(body.finalUrl).pathname) || "reference");
  const source = `downloaded from ${body.finalUrl}`;
  const size = body.bytes.length;
  return { data: body.bytes, size, mime: type?.mime, filename, source, release: nothingToRelease };
}

async function fromBase64(base64: string, src: ReferenceSource, o: LoadOptions, limit: number) {
  const text = base64.replace(/^data:[^,]*;base64,/, "").replace(/\s+/g, "");
  const decodedSize = Math.floor((text.length * 3) / 4);
  if (decodedSize > limit + 3) throw tooLarge(decodedSize, limit, o.model);
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(text))
    throw new ToolInputError(
      "base64 is not valid base64 text. Send the file's bytes as standard base64 (A–Z, a–z, 0–9, +, /) or a data: URL, or give path or url instead.",
    );
  const data = Buffer.from(text, "base64");
  const type = await sniffBytes(data);
  const filename = src.filename ?? `reference.${type?.ext ?? "bin"}`;
  const source = "base64 from the call";
  return { data, size: data.length, mime: type?.mime, filename, source, release: nothingToRelease };
}

export async function loadReference(
  src: ReferenceSource,
  o: LoadOptions,
): Promise<LoadedReference> {
  const given = [src.path, src.url, src.base64].filter((v) => v !== undefined).length;
  if (given !== 1) throw new ToolInputError("Give exactly one of path, url or base64.");
  const limit = largestLimit(o.model);
  if (src.path !== undefined) return fromPath(src.path, src, o, limit);
  if (src.url !== undefined) return fromUrl(src.url, src, o, limit);
  return fromBase64(src.base64 ?? "", src, o, limit);
}
