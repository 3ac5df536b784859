import { z } from "zod";
import { downloadVideo } from "./download.js";
import { ToolInputError } from "./errors.js";
import { summarizeTask, taskViewSchema, toTaskView } from "./task-view.js";
import { defineTool } from "./types.js";
import { isTerminal, nextCheckSeconds, waitForTask } from "./wait.js";

const inputSchema = z.object({
  task_id: z.string().min(1).optional().describe("Task id from generate_video"),
  wait_seconds: z
    .number()
    .min(0)
    .max(45)
    .optional()
    .describe("Wait up to this long for the task to finish"),
  download: z.boolean().optional().describe("Save the finished video to the local output folder"),
});

const outputSchema = z.object({
  task: taskViewSchema,
  saved_path: z.string().optional(),
  check_again_in_seconds: z.number().nullable(),
});

export const getTask = defineTool({
  name: "get_task",
  title: "Get a video task",
  description:
    "Status of a generate_video task: result URL, reserved and final credits (refunds stated), and for failures the category and whether a retry makes sense. Can wait for completion and save the video locally.",
  inputSchema,
  outputSchema,
  annotations: { readOnlyHint: true, openWorldHint: true },
  async handler(input, ctx, deps) {
    if (!input.task_id)
      throw new ToolInputError("task_id is required: pass the id generate_video returned.");
    const started = Date.now();
    let task = await deps.client.getGeneration(input.task_id, { signal: ctx.signal });
    const wait = Math.min(input.wait_seconds ?? 0, deps.config.maxWaitSeconds);
    if (wait > 0 && !isTerminal(task)) {
      task = await waitForTask(deps.client, task, ctx, {
        waitSeconds: wait,
        // The lookup above was this call's first check; the next one follows the usual interval.
        firstPollDelayMs: deps.config.pollIntervalMs,
        pollIntervalMs: deps.config.pollIntervalMs,
        submittedAt: started,
      });
    }
    const view = toTaskView(task);
    let savedPath: string | undefined;
    if (input.download) {
      if (deps.config.transport !== "stdio") {
        throw new ToolInputError(
          "download is available only when rivya-mcp runs locally (stdio); use video_url instead.",
        );
      }
      if (view.status === "succeeded" && view.video_url) {
        savedPath = await downloadVideo(
          view.video_url,
          deps.config.outputDir,
          view.task_id,
          ctx.signal,
        );
      }
    }
    const saved = savedPath
      ? ` Saved to ${savedPath}.`
      : input.download && !view.done
        ? " Not downloaded yet: the task is not finished."
        : "";
    return {
      structured: {
        task: view,
        ...(savedPath ? { saved_path: savedPath } : {}),
        check_again_in_seconds: nextCheckSeconds(task, deps.config.pollIntervalMs),
      },
      text: `${summarizeTask(view)}${saved}`,
    };
  },
});
