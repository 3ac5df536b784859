/** How a task is shown to an agent: the same shape from generate_video and get_task. */
import { pathToFileURL } from "node:url";
import * as z from "zod";
import { classifyTaskError } from "../errors/classify.js";
import { isTerminalStatus, TASK_STATUSES, type Task } from "../providers/types.js";
import type { ResourceLink } from "./context.js";

export const taskViewSchema = z
  .object({
    task_id: z.string(),
    model: z.string(),
    status: z.enum(TASK_STATUSES),
    done: z.boolean(),
    reserved_credits: z.number(),
    final_credits: z.number(),
    /** Credits given back because the task failed (0 otherwise). */
    refunded_credits: z.number(),
    video_url: z.string().nullable(),
    result_urls: z.array(z.string()),
    links_expire_at: z.string().optional(),
    error: z
      .object({
        code: z.string(),
        message: z.string(),
        category: z.string(),
        retryable: z.boolean(),
      })
      .nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .describe("task_id, status, video_url, credits, error{category,retryable}");
export type TaskView = z.infer<typeof taskViewSchema>;

export function toTaskView(task: Task): TaskView {
  const failed = task.status === "failed";
  // The client guarantees a result's urls hold at least its primary_url.
  const urls = task.result?.urls ?? [];
  const classified = task.error ? classifyTaskError(task.error) : null;
  return {
    task_id: task.id,
    model: task.model,
    status: task.status,
    done: isTerminalStatus(task.status),
    reserved_credits: task.reserved_credits,
    final_credits: task.final_credits,
    refunded_credits: failed ? Math.max(0, task.reserved_credits - task.final_credits) : 0,
    video_url: task.result?.primary_url ?? null,
    result_urls: urls,
    ...(task.result?.expires_at ? { links_expire_at: task.result.expires_at } : {}),
    error:
      task.error && classified
        ? {
            code: task.error.code,
            message: task.error.message,
            category: classified.category,
            retryable: classified.retryable,
          }
        : null,
    created_at: task.created_at,
    updated_at: task.updated_at,
  };
}

/** One line for clients that read only text. */
export function summarizeTask(view: TaskView): string {
  switch (view.status) {
    case "succeeded":
      return `Task ${view.task_id} succeeded: ${view.video_url ?? "(no URL returned)"} — ${view.final_credits} credits charged.`;
    case "failed": {
      const why = view.error ? `${view.error.message} [${view.error.category}]` : "no reason given";
      return `Task ${view.task_id} failed: ${why}. ${view.refunded_credits} reserved credits were refunded; ${view.final_credits} charged.`;
    }
    default:
      return `Task ${view.task_id} is ${view.status} (${view.reserved_credits} credits reserved). Check again with get_task.`;
  }
}

/**
 * The finished video as a link hosts can show: the saved file when there is one, else its
 * URL. Nothing for a task that has not succeeded.
 */
export function videoLinks(view: TaskView, savedPath?: string, now = Date.now()): ResourceLink[] {
  if (view.status !== "succeeded") return [];
  // A link past its expiry only leads to an error page: offer the saved file or nothing.
  const url = expiredAt(view.links_expire_at, now) ? null : view.video_url;
  const uri = savedPath ? pathToFileURL(savedPath).href : url;
  if (!uri) return [];
  return [
    {
      type: "resource_link",
      uri,
      name: `${view.task_id}.mp4`,
      mimeType: "video/mp4",
      description: `Video of Rivya task ${view.task_id}${savedPath ? ", saved locally" : ""}`,
    },
  ];
}

/** Warn this long before a result link stops working. */
export const NEAR_EXPIRY_MS = 2 * 3600_000;

/** True once `at` (ISO 8601), when links stop being served, has passed; never when absent. */
export const expiredAt = (at: string | undefined, now = Date.now()) =>
  at !== undefined && Date.parse(at) <= now;

/** "1 h 20 min", "45 min", "under a minute". */
function timeLeft(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return "under a minute";
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return h ? `${h} h${m ? ` ${m} min` : ""}` : `${m} min`;
}

/**
 * What to tell the agent about a finished video's link that is gone or about to go: where
 * the saved copy is, or that nothing can bring the link back. Undefined when there is no
 * need to warn (no expiry, not succeeded, or more than NEAR_EXPIRY_MS left). `local`: the
 * server can save into a local folder (stdio), so get_task download: true is the way to keep it.
 */
export function expiryNote(
  view: TaskView,
  savedPath: string | undefined,
  { local = true, now = Date.now() }: { local?: boolean; now?: number } = {},
): string | undefined {
  if (view.status !== "succeeded" || view.links_expire_at === undefined) return undefined;
  const at = view.links_expire_at;
  const left = Date.parse(at) - now;
  if (left <= 0) {
    return savedPath
      ? `The video link expired at ${at}; the video was saved before then to ${savedPath}: use that file.`
      : `The video link expired at ${at} and no copy was saved by this server: nothing can create a new link for task ${view.task_id}, so the video must be generated again (a new task, charged again) if it is still wanted.`;
  }
  if (left >= NEAR_EXPIRY_MS) return undefined;
  return savedPath
    ? `The video link expires at ${at} (in ${timeLeft(left)}); a copy is saved at ${savedPath}.`
    : `The video link expires at ${at} (in ${timeLeft(left)}): ${local ? "save it before then (get_task with download: true)" : "download it from video_url before then"}; once it has expired it cannot be re-created, only generated again.`;
}
