import { z } from "zod";
import { MAX_WAIT_SECONDS } from "../config.js";
import type { RivyaTask } from "../rivya/types.js";
import type { LedgerEntry } from "../store/types.js";
import { strictArgs } from "./arguments.js";
import { ToolError, ToolInputError } from "./errors.js";
import { recordSafely, recordTaskState, taskFromEntry } from "./ledger.js";
import { summarizeTask, taskViewSchema, toTaskView, videoLinks } from "./task-view.js";
import { defineTool, READS_AND_SAVES, type ServerDeps, type ToolContext } from "./types.js";
import { capWait, isTerminal, nextCheckSeconds, waitForTask } from "./wait.js";

const RECENT = 20;

const inputSchema = strictArgs("get_task", {
  task_id: z.string().min(1).optional().describe("From generate_video; omit to list recent tasks"),
  wait_seconds: z
    .number()
    .min(0)
    .optional()
    .describe(`Wait up to this long for it to finish (at most ${MAX_WAIT_SECONDS})`),
  download: z.boolean().optional().describe("Save the video locally"),
});

const recentSchema = z.object({
  task_id: z.string(),
  model: z.string(),
  status: z.string(),
  reserved_credits: z.number(),
  final_credits: z.number(),
  client_request_id: z.string(),
  created_at: z.string(),
  saved_path: z.string().optional(),
});

const outputSchema = z.object({
  task: taskViewSchema.optional(),
  saved_path: z.string().optional(),
  check_again_in_seconds: z.number().optional(),
  wait_note: z.string().optional(),
  recent_tasks: z
    .array(recentSchema)
    .optional()
    .describe("Newest first, when no task_id was given"),
});

/** The ledger fields an agent needs to pick a task up again (zod drops the rest). */
const recent = (e: LedgerEntry) => recentSchema.parse(e);

async function listRecent(deps: ServerDeps) {
  const entries = await deps.store.list(deps.owner, RECENT);
  const lines = entries.map(
    (e) =>
      `${e.task_id} ${e.model} ${e.status} (${e.final_credits || e.reserved_credits} credits) ${e.created_at}`,
  );
  return {
    structured: { recent_tasks: entries.map(recent) },
    text: entries.length
      ? `Recent tasks, newest first:\n${lines.join("\n")}`
      : "No tasks recorded yet.",
  };
}

const checkAgain = (task: RivyaTask, deps: ServerDeps) => {
  const seconds = nextCheckSeconds(task, deps.config.pollIntervalMs);
  return seconds === null ? {} : { check_again_in_seconds: seconds };
};

/** Looks a task up, refusing other people's tasks in hosted mode as if they did not exist. */
async function lookUp(
  taskId: string,
  ctx: ToolContext,
  deps: ServerDeps,
): Promise<{ task: RivyaTask; entry?: LedgerEntry }> {
  const entry = await deps.store.get(deps.owner, taskId);
  if (!entry && deps.config.transport === "http") {
    throw new ToolError(
      `No task ${taskId} among yours. Call get_task without task_id to list your recent tasks.`,
      "not_found",
      false,
    );
  }
  const task = await deps.client.getGeneration(taskId, { signal: ctx.signal });
  return entry ? { task, entry } : { task };
}

export const getTask = defineTool({
  name: "get_task",
  title: "Get a video task",
  description:
    "Status, video URL and credits of a task (refunds stated; failures say if retrying helps). Can wait. download: true saves the video to --output-dir (default ~/Movies/rivya). No task_id: recent tasks.",
  inputSchema,
  outputSchema,
  annotations: READS_AND_SAVES,
  async handler(input, ctx, deps) {
    if (!input.task_id) {
      if (input.download || input.wait_seconds)
        throw new ToolInputError(
          "wait_seconds and download need a task_id: pass the task_id generate_video returned, or call get_task with no arguments to list recent tasks.",
        );
      return listRecent(deps);
    }
    const started = Date.now();
    const found = await lookUp(input.task_id, ctx, deps);
    let entry = found.entry;
    const record = async (t: RivyaTask) => {
      if (!entry) return;
      entry = await recordTaskState(deps, entry, t);
    };
    await record(found.task);
    let task = found.task;
    const { waitSeconds: wait, waitNote } = capWait(input.wait_seconds);
    if (wait > 0 && !isTerminal(task)) {
      task = await waitForTask(deps.client, task, ctx, {
        waitSeconds: wait,
        // The lookup above was this call's first check; the next follows the usual interval.
        firstPollDelayMs: deps.config.pollIntervalMs,
        pollIntervalMs: deps.config.pollIntervalMs,
        submittedAt: started,
        onUpdate: record,
      }).catch((err) => {
        if (entry) return taskFromEntry(entry);
        throw err;
      });
    }
    const view = toTaskView(task);
    let savedPath = entry?.saved_path;
    if (input.download) {
      if (deps.config.transport !== "stdio") {
        throw new ToolInputError(
          "download works only when rivya-mcp runs locally (stdio); use video_url instead.",
        );
      }
      if (view.status === "succeeded" && view.video_url) {
        // Loaded on first use: undici's request stack is not needed to start the server.
        const { downloadVideo } = await import("./download.js");
        savedPath = await downloadVideo(
          view.video_url,
          deps.config.outputDir,
          view.task_id,
          ctx.signal,
        );
        if (entry) await recordSafely(deps, { ...entry, saved_path: savedPath });
      }
    }
    const note = savedPath
      ? ` Saved to ${savedPath}.`
      : input.download && !view.done
        ? " Not downloaded: the task has not finished."
        : "";
    return {
      structured: {
        task: view,
        ...(savedPath ? { saved_path: savedPath } : {}),
        ...checkAgain(task, deps),
        ...(waitNote ? { wait_note: waitNote } : {}),
      },
      text: `${summarizeTask(view)}${note}${waitNote ? ` Note: ${waitNote}` : ""}`,
      links: videoLinks(view, savedPath),
    };
  },
});
