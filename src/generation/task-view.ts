/** How a Rivya task is shown to an agent: the same shape from generate_video and get_task. */
import { pathToFileURL } from "node:url";
import { z } from "zod";
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
export function videoLinks(view: TaskView, savedPath?: string): ResourceLink[] {
  if (view.status !== "succeeded") return [];
  const uri = savedPath ? pathToFileURL(savedPath).href : view.video_url;
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
