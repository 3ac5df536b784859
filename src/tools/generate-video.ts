import { randomUUID } from "node:crypto";
import { z } from "zod";
import { settingsLine } from "../catalog/schema.js";
import type { ModelTable } from "../catalog/types.js";
import type { RivyaTask } from "../rivya/types.js";
import type { LedgerEntry } from "../store/types.js";
import { ToolInputError } from "./errors.js";
import { type GenerateCall, generateInputSchema, parseGenerateCall } from "./generate-request.js";
import { hashRequest, recordTaskState, taskFromEntry } from "./ledger.js";
import { oneAtATimePerOwner } from "./spend-guard.js";
import { submit } from "./submit.js";
import { summarizeTask, taskViewSchema, toTaskView, videoLinks } from "./task-view.js";
import {
  CREATES,
  type DescribeFacts,
  defineTool,
  type ServerDeps,
  type ToolContext,
} from "./types.js";
import { nextCheckSeconds, waitForTask } from "./wait.js";

const outputSchema = z.object({
  submitted: z.boolean(),
  cost: z.object({ credits: z.number(), billing_type: z.string(), basis: z.string() }),
  settings: z.record(z.string(), z.unknown()),
  client_request_id: z.string(),
  request: z.record(z.string(), z.unknown()).optional(),
  task: taskViewSchema.optional(),
  replayed: z.boolean().optional(),
  check_again_in_seconds: z.number().optional(),
  next_step: z.string(),
  wait_note: z.string().optional(),
});
type Output = z.infer<typeof outputSchema>;

function costOf(model: ModelTable) {
  return {
    credits: model.baseCredits,
    billing_type: model.billingType,
    basis: `${model.id} reserves ${model.baseCredits} credits at submit; a failed task is refunded.`,
  };
}

/** Waits if asked, keeping the ledger current; a failed or cancelled wait never hides the id. */
async function settle(
  task: RivyaTask,
  entry: LedgerEntry,
  call: GenerateCall,
  ctx: ToolContext,
  deps: ServerDeps,
) {
  let latest = entry;
  const record = async (t: RivyaTask) => {
    latest = await recordTaskState(deps, latest, t);
  };
  if (call.waitSeconds <= 0) return task;
  return waitForTask(deps.client, task, ctx, {
    waitSeconds: call.waitSeconds,
    firstPollDelayMs: deps.config.firstPollDelayMs,
    pollIntervalMs: deps.config.pollIntervalMs,
    submittedAt: Date.parse(entry.created_at),
    onUpdate: record,
  }).catch(() => taskFromEntry(latest));
}

function result(
  call: GenerateCall,
  clientRequestId: string,
  task: RivyaTask,
  replayed: boolean,
  deps: ServerDeps,
) {
  const view = toTaskView(task);
  const checkIn = nextCheckSeconds(task, deps.config.pollIntervalMs);
  const structured: Output = {
    submitted: true,
    cost: { ...costOf(call.model), credits: task.reserved_credits },
    settings: call.settings,
    client_request_id: clientRequestId,
    task: view,
    replayed,
    ...(checkIn === null ? {} : { check_again_in_seconds: checkIn }),
    next_step: view.done
      ? "Finished. get_task with download: true saves the video locally."
      : `Call get_task with task_id ${task.id} in about ${checkIn} s.`,
    ...(call.waitNote ? { wait_note: call.waitNote } : {}),
  };
  const lead = replayed
    ? "Already submitted with this client_request_id (not charged again). "
    : "Submitted. ";
  // Rivya does not document how settings change a FIXED model's price; say so if it differs.
  const stated = call.model.baseCredits;
  const differs =
    task.reserved_credits !== stated
      ? ` Note: Rivya reserved ${task.reserved_credits} credits, not the ${stated} stated beforehand.`
      : "";
  const line = settingsLine(call.model, call.settings, task.reserved_credits);
  const waited = call.waitNote ? ` Note: ${call.waitNote}` : "";
  return {
    structured,
    text: `${lead}${line}. ${summarizeTask(view)}${differs}${waited}`,
    links: videoLinks(view),
  };
}

/** A client_request_id the ledger knows: the same task again, or a clear refusal. */
async function replay(known: LedgerEntry, call: GenerateCall, ctx: ToolContext, deps: ServerDeps) {
  if (known.request_hash !== hashRequest(call.body)) {
    throw new ToolInputError(
      `client_request_id "${known.client_request_id}" was already used for a different request (task ${known.task_id}). Use a new client_request_id for a new video.`,
    );
  }
  let task = taskFromEntry(known);
  try {
    task = await deps.client.getGeneration(known.task_id, { signal: ctx.signal });
    known = await recordTaskState(deps, known, task);
  } catch {
    // The ledger's copy still carries the id; the agent can poll later.
  }
  return result(
    call,
    known.client_request_id,
    await settle(task, known, call, ctx, deps),
    true,
    deps,
  );
}

export const generateVideoTool = (models: readonly ModelTable[]) =>
  defineTool({
    name: "generate_video",
    title: "Generate a video",
    description: describeGenerate,
    inputSchema: generateInputSchema(models),
    outputSchema,
    annotations: CREATES,
    parse: (args) => parseGenerateCall(models, args),
    async handler(call, ctx, deps) {
      if (call.clientRequestId) {
        const known = await deps.store.findByClientRequestId(deps.owner, call.clientRequestId);
        if (known) return replay(known, call, ctx, deps);
      }
      const clientRequestId = call.clientRequestId ?? `auto_${randomUUID()}`;
      if (call.dryRun) return dryRun(call, clientRequestId, deps);
      const { created, entry } = await oneAtATimePerOwner(deps, () =>
        submit(call, clientRequestId, ctx, deps),
      );
      const task = await settle(created.task, entry, call, ctx, deps);
      return result(call, clientRequestId, task, created.replayed, deps);
    },
  });

function describeGenerate({ confirmAbove, dailyBudget }: DescribeFacts): string {
  const budget = dailyBudget === undefined ? "no daily budget" : `daily budget ${dailyBudget}`;
  return `Submit a video; returns the task id at once, or waits up to wait_seconds. Settings go in params. Prices are fixed per model. Above ${confirmAbove} credits the person must agree (confirm: true); ${budget}. multi_shots: the model may cut between shots in the prompt; shots cannot be timed.`;
}

/** Everything but the submission: the exact upstream request and its cost. */
function dryRun(call: GenerateCall, clientRequestId: string, deps: ServerDeps) {
  const cost = costOf(call.model);
  if (call.maxCredits !== undefined && cost.credits > call.maxCredits) {
    throw new ToolInputError(
      `This call costs ${cost.credits} credits, above max_credits ${call.maxCredits}. Raise max_credits or pick a cheaper model (list_models). Nothing was submitted.`,
    );
  }
  const confirm =
    cost.credits > deps.config.confirmAbove
      ? " Submitting will need the person's confirmation."
      : "";
  const structured: Output = {
    submitted: false,
    cost,
    settings: call.settings,
    client_request_id: clientRequestId,
    request: { ...call.body, client_request_id: clientRequestId },
    next_step: `Call again without dry_run to submit.${confirm}`,
  };
  const line = settingsLine(call.model, call.settings, cost.credits);
  const text = `Dry run: valid request: ${line}. Nothing was submitted.${confirm}`;
  return { structured, text };
}
