/** Saves a finished video into the output folder, streamed to disk, never half-written. */
import { createWriteStream } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { getGlobalDispatcher, interceptors, request } from "undici";
import { ToolError } from "./errors.js";

export async function downloadVideo(
  url: string,
  dir: string,
  taskId: string,
  signal: AbortSignal,
): Promise<string> {
  await mkdir(dir, { recursive: true });
  const safeName = taskId.replace(/[^A-Za-z0-9_.-]/g, "_");
  const target = join(dir, `${safeName}.mp4`);
  const partial = `${target}.part`;
  const dispatcher = getGlobalDispatcher().compose(interceptors.redirect({ maxRedirections: 3 }));
  const res = await request(url, { signal, dispatcher });
  if (res.statusCode < 200 || res.statusCode >= 300) {
    await res.body.dump();
    throw new ToolError(
      `Downloading the video failed with HTTP ${res.statusCode}; the URL may have expired. Call get_task again for a fresh URL.`,
      "upstream_unavailable",
      true,
    );
  }
  try {
    await pipeline(res.body, createWriteStream(partial), { signal });
    await rename(partial, target);
  } catch (err) {
    await rm(partial, { force: true });
    throw err;
  }
  return target;
}
