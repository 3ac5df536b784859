/**
 * Saves a finished video into the output folder: streamed to disk under a unique temporary
 * name and renamed into place, so a reader never sees half a file and two writers never
 * share one; capped in size; fetched through the same address guard as reference URLs. One
 * download per task at a time in this process: a second call for the same task waits for
 * the first and gets its file.
 */
import { randomUUID } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { ToolError } from "../errors/tool-error.js";
import { abortReason } from "../net/abort.js";
import type { FetchGuard } from "../net/guard.js";
import { bodyFailure, openGuarded } from "../net/safe-fetch.js";

/** Far above any video the models make (a 15 s 1080p clip is tens of MB). */
export const MAX_VIDEO_BYTES = 2 * 1024 ** 3;

export interface SaveVideoRequest {
  url: string;
  /** The output folder. */
  dir: string;
  taskId: string;
  signal: AbortSignal;
  /** blockPrivate from the config; trustedOrigins: the Rivya base URL's origin. */
  guard: FetchGuard;
  maxBytes?: number;
}

interface Shared {
  done: Promise<string>;
  controller: AbortController;
  waiting: number;
}

const running = new Map<string, Shared>();

export const videoPathFor = (dir: string, taskId: string) =>
  join(dir, `${taskId.replace(/[^A-Za-z0-9_.-]/g, "_")}.mp4`);

/** Saves the task's video and returns its path; joins a download of the same task under way. */
export function saveTaskVideo(req: SaveVideoRequest): Promise<string> {
  if (req.signal.aborted) return Promise.reject(abortReason(req.signal));
  const target = videoPathFor(req.dir, req.taskId);
  let shared = running.get(target);
  // One whose callers all cancelled is on its way out: a new caller starts afresh.
  if (!shared || shared.controller.signal.aborted) {
    const controller = new AbortController();
    const done = download(req, target, controller.signal);
    const entry: Shared = { done, controller, waiting: 0 };
    running.set(target, entry);
    // Settled with nobody left waiting is fine: the rejection is handled here.
    done.catch(() => {}).finally(() => running.get(target) === entry && running.delete(target));
    shared = entry;
  }
  return waitFor(shared, req.signal);
}

/** One caller's view of a shared download: the download stops only when every caller left. */
function waitFor(shared: Shared, signal: AbortSignal): Promise<string> {
  if (signal.aborted) return Promise.reject(abortReason(signal));
  shared.waiting++;
  return new Promise<string>((resolve, reject) => {
    const onAbort = () => {
      reject(abortReason(signal));
      if (--shared.waiting === 0) shared.controller.abort(abortReason(signal));
    };
    signal.addEventListener("abort", onAbort, { once: true });
    shared.done.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

function tooLarge(limit: number): ToolError {
  return new ToolError(
    `The video is larger than ${limit} bytes, the download limit; it was not saved. Use video_url to fetch it another way.`,
    "invalid_request",
    false,
  );
}

/** Passes bytes through until `limit`, then fails the pipeline. */
function capAt(limit: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      callback(seen > limit ? tooLarge(limit) : null, chunk);
    },
  });
}

async function download(req: SaveVideoRequest, target: string, signal: AbortSignal) {
  const limit = req.maxBytes ?? MAX_VIDEO_BYTES;
  await mkdir(req.dir, { recursive: true });
  const how = {
    ...req.guard,
    signal,
    field: "the video URL",
    instead: "call get_task again for a fresh link, or use video_url",
    accept: "video/*",
  };
  const opened = await openGuarded(req.url, how);
  // Unique per attempt: concurrent writers (other processes too) never share a partial file.
  const partial = `${target}.${process.pid}-${randomUUID().slice(0, 8)}.part`;
  try {
    if ((opened.contentLength ?? 0) > limit) throw tooLarge(limit);
    await pipeline(opened.body, capAt(limit), createWriteStream(partial), { signal });
    await rename(partial, target);
    return target;
  } catch (err) {
    opened.body.destroy();
    await rm(partial, { force: true });
    throw bodyFailure(err, opened, how);
  } finally {
    await opened.close();
  }
}
