/**
 * Reads a response body whole, but never more than `limit` bytes: past it the stream is
 * destroyed and `tooLarge()` is thrown, so a hostile or broken peer cannot fill memory.
 */
import type { Readable } from "node:stream";

export async function readCapped(
  body: Readable,
  limit: number,
  tooLarge: () => Error,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      body.destroy();
      throw tooLarge();
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
