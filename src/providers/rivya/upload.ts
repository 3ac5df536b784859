/**
 * What goes into the multipart body of `POST /files`. A file on disk becomes a lazy `openAsBlob`
 * Blob, so undici streams it from disk in chunks and the file is never held in memory whole;
 * the same Blob can be re-read if the upload is retried. upload_reference passes its local
 * files as such a Blob already (`data`, read from the descriptor it checked), never a path
 * to reopen.
 */
import { openAsBlob } from "node:fs";
import { ValidationError } from "./errors.js";
import type { Multipart } from "./http.js";
import type { UploadInput } from "./types.js";

function invalid(message: string): ValidationError {
  return new ValidationError(`Rivya upload: ${message}`, { code: "validation_failed" });
}

/** Resolves the upload's content to a Blob without reading a file into memory. */
export async function uploadBlob(input: UploadInput): Promise<Blob> {
  const hasPath = input.path !== undefined && input.path !== "";
  if (hasPath === (input.data !== undefined)) {
    throw invalid("give exactly one of `path` or `data`.");
  }
  if (!input.filename) throw invalid("`filename` is required.");
  if (input.path) {
    try {
      return await openAsBlob(input.path, { type: input.mimeType });
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      throw invalid(`cannot read ${input.path} (${typeof code === "string" ? code : "error"}).`);
    }
  }
  const data = input.data as Uint8Array | Blob;
  // Wrapping a Blob in a Blob references its bytes rather than copying them.
  return new Blob([data], { type: input.mimeType });
}

/**
 * Metadata fields go first so a streaming server can reject a wrong kind or model before
 * the file bytes arrive.
 */
export function uploadMultipart(blob: Blob, input: UploadInput): Multipart {
  const fields: [string, string][] = [["kind", input.kind]];
  if (input.model) fields.push(["model", input.model]);
  if (input.clientRequestId) fields.push(["client_request_id", input.clientRequestId]);
  return { fields, file: blob, filename: input.filename };
}
