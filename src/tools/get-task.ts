import * as z from "zod";
import { MAX_WAIT_SECONDS } from "../config.js";
import { classifyError as classify } from "../errors/classify.js";
import { ToolError, ToolInputError } from "../errors/tool-error.js";
import { autoSave, linksExpired, saveVideo } from "../generation/keep-video.js";
import { recordTaskState, taskFromEntry } from "../generation/ledger.js";
import { sendMayBeUnderWay } from "../generation/submit.js";
import { listRecent, recentSchema } from "../generation/task-list.js";
import {
  expiryNote,
  summarizeTask,
  taskViewSchema,
  toTaskView,
  videoLinks,
} from "../generation/task-view.js";
import {
  ANSWER_WITHIN_MS,
  capWait,
  isTerminal,
  nextCheckSeconds,
  waitForTask,
  withDeadline,
} from "../generation/wait.js";
import type { Provider, Task } from "../providers/types.js";
import type { LedgerEntry } from "../store/types.js";
import { strictArgs } from "./arguments.js";
import { defineTool, READS_AND_SAVES, type ServerDeps, type ToolContext } from "./define.js";

const inputSchema = strictArgs("get_task", {
  task_id: z
    .string()
    .min(1)
    .optional()
    .describe("A task id or client_request_id; omit to list recent tasks"),
  wait_seconds: z
    .number()
    .min(0)
    .optional()
    .describe(`Wait up to this long for it to finish (at most ${MAX_WAIT_SECONDS})`),
  download: z.boolean().optional().describe("Save the video locally"),
});

const submittingSchema = z.object({
  client_request_id: z.string(),
  model: z.string(),
  quote_credits: z.number(),
  created_at: z.string(),
  next_step: z.string(),
});

const outputSchema = z.object({
  task: taskViewSchema.optional(),
  submitting: submittingSchema.optional(),
  saved_path: z.string().optional(),
  check_again_in_seconds: z.number().optional(),
  wait_note: z.string().optional(),
  note: z.string().optional(),
  // Newest first; the input's task_id description says when they come.
  recent_tasks: z.array(recentSchema).optional(),
});

interface Found {
  entry: LedgerEntry | undefined;
  task: Task | undefined;
  /** Who runs the task (undefined only for an intent never sent). */
  provider?: Provider;
  note?: string;
}

const isNotFound = (err: unknown) => classify(err).category === "not_found";

/**
 * A task id this server never recorded (made before the ledger, or elsewhere with the same
 * key): each provider is asked in turn, and the first that knows it answers.
 */
async function lookUpUnrecorded(id: string, ctx: ToolContext, deps: ServerDeps): Promise<Found> {
  const last = deps.providers.list.at(-1);
  for (const provider of deps.providers.list) {
    try {
      return {
        entry: undefined,
        provider,
        task: await provider.getTask(id, { signal: ctx.signal }),
      };
    } catch (err) {
      if (provider === last || !isNotFound(err)) throw err;
    }
  }
  throw new ToolError(`No task ${id}.`, "not_found", false);
}

/**
 * The ledger first (by task id, ledger id or client_request_id), then the provider. In hosted mode
 * only the caller's own ledger entries exist for them: another person's task id answers
 * "not found" exactly like a made-up one.
 */
async function lookUp(id: string, ctx: ToolContext, deps: ServerDeps): Promise<Found> {
  const entry =
    (await deps.store.get(deps.owner, id)) ??
    (await deps.store.findByClientRequestId(deps.owner, id));
  if (!entry && deps.config.transport === "http") {
    throw new ToolError(
      `No task ${id} among yours. Call get_task without task_id to list your recent tasks.`,
      "not_found",
      false,
    );
  }
  if (entry?.state === "submitting") return { entry, task: undefined };
  if (!entry) return lookUpUnrecorded(id, ctx, deps);
  const provider = deps.providers.forRecord(entry);
  const read = withDeadline(ctx.signal);
  try {
    const task = await provider.getTask(entry.task_id as string, { signal: read.signal });
    return { entry: await recordTaskState(deps, entry, task), task, provider };
  } catch (err) {
    ctx.signal.throwIfAborted();
    const task = taskFromEntry(entry);
    const name = provider.displayName;
    if (isNotFound(err)) {
      const note = `${name} does not know task ${task.id} any more, though this server recorded it on ${entry.created_at} (shown as last seen). If this is the --demo server, its simulator lost its state; otherwise the account or the key changed, or ${name} no longer keeps the task.`;
      return { entry, task, provider, note };
    }
    return {
      entry,
      task,
      provider,
      note: `${name} could not be asked just now; showing the task as last seen at ${entry.updated_at}.`,
    };
  } finally {
    read.done();
  }
}

const submittingView = (entry: LedgerEntry) => ({
  client_request_id: entry.client_request_id,
  model: entry.model,
  quote_credits: entry.quote_credits,
  created_at: entry.created_at,
});

function submittingResult(entry: LedgerEntry, deps: ServerDeps) {
  const provider = deps.providers.forRecord(entry);
  const name = provider.displayName;
  if (sendMayBeUnderWay(entry) && !provider.idempotentCreate) {
    const next = `Check again in about 15 s: once ${name} answers, its task is recorded here. Do not send it again meanwhile (${name} has no idempotency key: a second send could charge twice).`;
    return {
      structured: { submitting: { ...submittingView(entry), next_step: next } },
      text: `Request ${entry.client_request_id} (${entry.model}, "${entry.prompt_snippet}") is being sent to ${name} (since ${entry.created_at}); its answer has not come back yet. ${next}`,
    };
  }
  const next = provider.idempotentCreate
    ? `Call generate_video again with client_request_id "${entry.client_request_id}" and the same arguments: it resends the request under the same idempotency key, so you get the task ${name} created or it is created once — never charged twice.`
    : `${name} has no idempotency key, so this server will not resend it on its own: if ${name} created it, it is charged and may still appear here. To send it again anyway, call generate_video with client_request_id "${entry.client_request_id}", the same arguments and resubmit_in_doubt: true — this MAY CHARGE TWICE; ask the person first.`;
  return {
    structured: { submitting: { ...submittingView(entry), next_step: next } },
    text: `Request ${entry.client_request_id} (${entry.model}, "${entry.prompt_snippet}") is submitting — outcome unknown: the server did not learn whether ${name} created it. ${next}`,
  };
}

/** download: true. A link past its expiry is not tried: the copy saved before is all there is. */
async function save(
  task: Task,
  entry: LedgerEntry | undefined,
  ctx: ToolContext,
  deps: ServerDeps,
): Promise<string | undefined> {
  if (deps.config.transport !== "stdio") {
    throw new ToolInputError(
      "download works only when rivya-mcp runs locally (stdio); use video_url instead.",
    );
  }
  if (task.status !== "succeeded" || !task.result?.primary_url || linksExpired(task))
    return entry?.saved_path;
  return saveVideo(task, entry, ctx.signal, deps);
}

export const getTask = defineTool({
  name: "get_task",
  title: "Get a video task",
  description:
    "Status, video URL and credits of a task (refunds stated; failures say if retrying helps). Can wait. download: true saves the video locally. No task_id: recent tasks.",
  inputSchema,
  outputSchema,
  annotations: READS_AND_SAVES,
  async handler(input, ctx, deps) {
    if (!input.task_id) {
      if (input.download || input.wait_seconds)
        throw new ToolInputError(
          "wait_seconds and download need a task_id: pass the task_id generate_video returned, or call get_task with no arguments to list recent tasks.",
        );
      return listRecent(ctx, deps);
    }
    const started = Date.now();
    const found = await lookUp(input.task_id, ctx, deps);
    let entry = found.entry;
    if (entry?.state === "submitting" || !found.task)
      return submittingResult(entry as LedgerEntry, deps);
    let task = found.task;
    const { waitSeconds: wait, waitNote } = capWait(input.wait_seconds);
    if (wait > 0 && !isTerminal(task) && !found.note && found.provider) {
      task = await waitForTask(found.provider, task, ctx, {
        waitSeconds: wait,
        // The lookup above was this call's first check; the next follows the usual interval.
        firstPollDelayMs: deps.config.pollIntervalMs,
        pollIntervalMs: deps.config.pollIntervalMs,
        submittedAt: started,
        callStartedAt: started,
        stopping: deps.lifecycle?.stopping,
        onUpdate: async (t) => {
          if (entry) entry = await recordTaskState(deps, entry, t);
        },
      }).catch((err) => {
        if (entry) return taskFromEntry(entry);
        throw err;
      });
    }
    const view = toTaskView(task);
    const kept: { savedPath?: string | undefined; note?: string } = input.download
      ? { savedPath: await save(task, entry, ctx, deps) }
      : // Answered within 55 s of the call (below most clients' 60 s), saved or not.
        await autoSave(task, entry, ctx.signal, deps, started + ANSWER_WITHIN_MS);
    const savedPath = kept.savedPath;
    const note = [
      found.note,
      kept.note,
      expiryNote(view, savedPath, { local: deps.config.transport === "stdio" }),
    ]
      .filter(Boolean)
      .join(" ");
    const notes = [
      savedPath ? ` Saved to ${savedPath}.` : "",
      input.download && !view.done ? " Not downloaded: the task has not finished." : "",
      note ? ` ${note}` : "",
      waitNote ? ` Note: ${waitNote}` : "",
    ].join("");
    const checkIn = nextCheckSeconds(task, deps.config.pollIntervalMs);
    return {
      structured: {
        task: view,
        ...(savedPath ? { saved_path: savedPath } : {}),
        ...(checkIn === null ? {} : { check_again_in_seconds: checkIn }),
        ...(waitNote ? { wait_note: waitNote } : {}),
        ...(note ? { note } : {}),
      },
      text: `${summarizeTask(view)}${notes}`,
      links: videoLinks(view, savedPath),
    };
  },
});
