/**
 * Finished videos kept on disk. get_task download: true saves one when asked; in stdio mode a
 * video whose links expire (EvoLink's stop working 24 h after the task finishes) is also saved
 * unasked, the first time the server sees it finished, so a paid video is not lost to a dead
 * link. A save that fails never hides the task or fails the call: it becomes a note.
 */
import type { Task } from "../providers/types.js";
import type { LedgerEntry } from "../store/types.js";
import type { ServerDeps } from "./context.js";
import { recordSafely } from "./ledger.js";
import { expiredAt } from "./task-view.js";

/** A task's result links are past their expiry: downloading them can only fail. */
export const linksExpired = (task: Task, now = Date.now()) =>
  expiredAt(task.result?.expires_at, now);

/**
 * Downloads the task's video into the output folder, records the path in the ledger entry
 * (when there is one) and returns it.
 */
export async function saveVideo(
  task: Task,
  entry: LedgerEntry | undefined,
  signal: AbortSignal,
  deps: ServerDeps,
): Promise<string> {
  const url = task.result?.primary_url;
  if (!url) throw new Error(`task ${task.id} has no video URL`);
  const provider = entry ? deps.providers.forRecord(entry) : deps.providers.forModel(task.model);
  // Loaded on first use: undici's request stack is not needed to start the server.
  const { saveTaskVideo } = await import("../media/download.js");
  const savedPath = await saveTaskVideo({
    url,
    dir: deps.config.outputDir,
    taskId: task.id,
    signal,
    // Rivya's own links are trusted (the demo simulator serves them on loopback), and those
    // a provider names as its own; any other address, and every redirect, passes the same
    // checks as a reference URL.
    guard: {
      blockPrivate: deps.config.blockPrivateUrls,
      trustedOrigins: [...(provider.linkOrigins ?? [])],
    },
  });
  if (entry) await recordSafely(deps, { ...entry, saved_path: savedPath });
  return savedPath;
}

export interface Kept {
  /** The entry as it now stands (with `saved_path` when this call saved the video). */
  entry: LedgerEntry | undefined;
  savedPath?: string;
  /** Why an automatic save did not happen, when it was tried and failed. */
  note?: string;
}

/** Whether this server should save the task's video unasked, now. */
export function wantsAutoSave(task: Task, entry: LedgerEntry | undefined, deps: ServerDeps) {
  return (
    deps.config.transport === "stdio" &&
    deps.config.autoSave &&
    task.status === "succeeded" &&
    task.result?.expires_at !== undefined &&
    !entry?.saved_path &&
    !linksExpired(task)
  );
}

/** How long an automatic save may take when the caller sets no deadline of its own. */
const SAVE_BUDGET_MS = 20_000;

/**
 * Saves a finished video whose links expire, unless it is saved already, auto-save is off,
 * or the server is hosted (there is no local folder to save to). Never throws.
 */
export async function autoSave(
  task: Task,
  entry: LedgerEntry | undefined,
  signal: AbortSignal,
  deps: ServerDeps,
  /** When the call must answer: a save never holds the task id past a client's timeout. */
  answerBy = Date.now() + SAVE_BUDGET_MS,
): Promise<Kept> {
  const saved = entry?.saved_path;
  if (!wantsAutoSave(task, entry, deps)) return { entry, ...(saved ? { savedPath: saved } : {}) };
  const left = answerBy - Date.now();
  if (left < 1000) {
    return {
      entry,
      note: `The video is not saved yet (no time left in this call). Its link works until ${task.result?.expires_at}: get_task with download: true saves it.`,
    };
  }
  try {
    const bounded = AbortSignal.any([signal, AbortSignal.timeout(left)]);
    const savedPath = await saveVideo(task, entry, bounded, deps);
    return { entry: entry && { ...entry, saved_path: savedPath }, savedPath };
  } catch (err) {
    const reason = (err instanceof Error ? err.message : String(err)).replace(/\.$/, "");
    deps.log.warn("auto-save failed", { task_id: task.id, error: reason });
    return {
      entry,
      note: `The video was not saved automatically (${reason}). Its link works until ${task.result?.expires_at}: get_task with download: true tries again.`,
    };
  }
}
