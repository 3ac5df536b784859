/**
 * What every provider simulator's HTTP side shares: replies, API errors (each simulator
 * renders them in its provider's own envelope), and bounded body reading.
 */
import type { IncomingMessage, ServerResponse } from "node:http";

/** What a route handler produces; the server turns it into bytes (or drops it). */
export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Binary payloads (result videos, uploaded files) bypass JSON encoding. */
  raw?: { contentType: string; bytes: Uint8Array };
}

/** An API error: thrown anywhere in a simulator's pipeline, rendered in its provider's envelope. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const invalid = (message: string) => new ApiError(400, "validation_failed", message);
export const notFound = (message: string) => new ApiError(404, "not_found", message);

export function sendReply(res: ServerResponse, reply: Reply, headOnly: boolean): void {
  if (res.destroyed || res.writableEnded) return;
  const bytes = reply.raw
    ? reply.raw.bytes
    : Buffer.from(reply.body === undefined ? "" : JSON.stringify(reply.body));
  res.writeHead(reply.status, {
    "content-type": reply.raw?.contentType ?? "application/json; charset=utf-8",
    "content-length": String(bytes.byteLength),
    ...reply.headers,
  });
  res.end(headOnly ? undefined : bytes);
}

/**
 * Reads a request body up to `limit` bytes. Past the limit it keeps draining (so the
 * client still receives the 400 instead of a reset) but stops keeping the bytes.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    req.on("end", () => {
      if (size > limit) reject(invalid(`request body is larger than ${limit} bytes`));
      else resolve(Buffer.concat(chunks));
    });
    req.on("error", reject);
  });
}

export async function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  const text = (await readBody(req, limit)).toString("utf8");
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw invalid("request body is not valid JSON");
  }
}
