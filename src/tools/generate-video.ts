import { randomUUID } from "node:crypto";
import * as z from "zod";
import { settingsLine } from "../catalog/schema.js";
import type { ModelTable } from "../catalog/types.js";
import { ToolInputError } from "../errors/tool-error.js";
import { autoSave } from "../generation/keep-video.js";
import { hashRequest, recordTaskState, taskFromEntry } from "../generation/ledger.js";
import { type Quote, quoteFor } from "../generation/quote.js";
import { needsConfirmation, overCeiling } from "../generation/spend-guard.js";
import {
  create,
  inDoubt,
  sendMayBeUnderWay,
  settingsOf,
  spendRequest,
  stillBeingSent,
  submit,
} from "../generation/submit.js";
import {
  expiryNote,
  summarizeTask,
  taskViewSchema,
  toTaskView,
  videoLinks,
} from "../generation/task-view.js";
import {
  ANSWER_WITHIN_MS,
  nextCheckSeconds,
  waitForTask,
  withDeadline,
} from "../generation/wait.js";
import type { Task } from "../providers/types.js";
import type { LedgerEntry } from "../store/types.js";
import { CREATES, defineTool, type ServerDeps, type ToolContext } from "./define.js";
import { type Member, route, routeKnown, submitRouted } from "./family.js";
import {
  checkReferenceOwners,
  checkReferenceUrls,
  type GenerateCall,
  generateInputSchema,
  parseGenerateCall,
} from "./generate-request.js";

const outputSchema = z.object({
  submitted: z.boolean(),
  cost: z.object({
    credits: z.number(),
    unit: z.string(),
    billing_type: z.string(),
    basis: z.string(),
  }),
  settings: z.record(z.string(), z.unknown()),
  client_request_id: z.string(),
  request: z.record(z.string(), z.unknown()).optional(),
  task: taskViewSchema.optional(),
  replayed: z.boolean().optional(),
  check_again_in_seconds: z.number().optional(),
  next_step: z.string(),
  wait_note: z.string().optional(),
  saved_path: z.string().optional(),
  note: z.string().optional(),
  route: z
    .object({
      family: z.string(),
      model: z.string(),
      provider: z.string(),
      why: z.string(),
      quotes: z.array(
        z.object({
          model: z.string(),
          provider: z.string(),
          credits: z.number(),
          unit: z.string(),
          usd: z.number().optional(),
        }),
      ),
      cannot: z.array(z.string()).optional(),
      notes: z.array(z.string()).optional(),
    })
    .optional(),
});
type Output = z.infer<typeof outputSchema>;

function costOf(model: ModelTable, quote: Quote) {
  return {
    credits: quote.amount,
    unit: quote.unit,
    billing_type: model.price.billing,
    basis: quote.basis,
  };
}

interface Settled {
  task: Task;
  savedPath?: string | undefined;
  note?: string | undefined;
}

/**
 * Waits if asked, keeping the ledger current; a failed or cancelled wait never hides the id.
 * A finished video whose links expire is saved (stdio, unless auto-save is off).
 */
async function settle(
  task: Task,
  entry: LedgerEntry,
  call: GenerateCall,
  ctx: ToolContext,
  deps: ServerDeps,
): Promise<Settled> {
  let latest = entry;
  const record = async (t: Task) => {
    latest = await recordTaskState(deps, latest, t);
  };
  const done =
    call.waitSeconds <= 0
      ? task
      : await waitForTask(deps.providers.forModel(call.model), task, ctx, {
          waitSeconds: call.waitSeconds,
          firstPollDelayMs: deps.config.firstPollDelayMs,
          pollIntervalMs: deps.config.pollIntervalMs,
          submittedAt: Date.parse(entry.created_at),
          callStartedAt: call.receivedAt,
          onUpdate: record,
          stopping: deps.lifecycle?.stopping,
        }).catch(() => taskFromEntry(latest));
  // The answer (with the task id) goes out within ANSWER_WITHIN_MS of the call, saved or not.
  const kept = await autoSave(done, latest, ctx.signal, deps, call.receivedAt + ANSWER_WITHIN_MS);
  return { task: done, savedPath: kept.savedPath, note: kept.note };
}

function result(
  call: GenerateCall,
  clientRequestId: string,
  quote: Quote,
  { task, savedPath, note }: Settled,
  replayed: boolean,
  deps: ServerDeps,
) {
  const view = toTaskView(task);
  const notes = [note, expiryNote(view, savedPath, { local: deps.config.transport === "stdio" })]
    .filter(Boolean)
    .join(" ");
  const checkIn = nextCheckSeconds(task, deps.config.pollIntervalMs);
  const structured: Output = {
    submitted: true,
    cost: { ...costOf(call.model, quote), credits: task.reserved_credits },
    settings: call.settings,
    client_request_id: clientRequestId,
    task: view,
    replayed,
    ...(checkIn === null ? {} : { check_again_in_seconds: checkIn }),
    ...(savedPath ? { saved_path: savedPath } : {}),
    next_step: view.done
      ? savedPath
        ? `Finished; the video is saved at ${savedPath}.`
        : "Finished. get_task with download: true saves the video locally."
      : `Call get_task with task_id ${task.id} in about ${checkIn} s.`,
    ...(call.waitNote ? { wait_note: call.waitNote } : {}),
    ...(notes ? { note: notes } : {}),
  };
  const lead = replayed
    ? "Already submitted with this client_request_id (not charged again). "
    : "Submitted. ";
  // A provider may reserve other than its table says (Rivya does not document how settings
  // change a FIXED model's price): say so when it differs.
  const above = task.reserved_credits > quote.amount;
  const name = deps.providers.forModel(call.model).displayName;
  const differs =
    task.reserved_credits !== quote.amount
      ? ` Note: ${name} reserved ${task.reserved_credits} credits, not the ${quote.amount} quoted beforehand${above ? "; the budget counts the reservation, and the next call with these settings will be quoted at it" : ""}.`
      : "";
  const line = settingsLine(call.model, call.settings, task.reserved_credits);
  const waited = call.waitNote ? ` Note: ${call.waitNote}` : "";
  const saved = savedPath ? ` Saved to ${savedPath}.` : "";
  return {
    structured,
    text: `${lead}${line}. ${summarizeTask(view)}${saved}${notes ? ` ${notes}` : ""}${differs}${waited}`,
    links: videoLinks(view, savedPath),
  };
}

/**
 * A client_request_id the ledger knows: the same task again, or a clear refusal. An intent
 * whose outcome was never learned (a dropped reply, a crash) is resent under its own
 * idempotency key, so the provider returns the task it created, or creates it once.
 */
type Answer = ReturnType<typeof result>;

async function replay(
  known: LedgerEntry,
  call: GenerateCall,
  ctx: ToolContext,
  deps: ServerDeps,
): Promise<Answer> {
  if (known.request_hash !== hashRequest(call.body)) {
    const what = known.task_id ? `task ${known.task_id}` : "a request still being submitted";
    throw new ToolInputError(
      `client_request_id "${known.client_request_id}" was already used for a different request (${what}). Use a new client_request_id for a new video, or resend the earlier arguments unchanged.`,
    );
  }
  const provider = deps.providers.forRecord(known);
  // The price checked when the request was first made, not today's.
  const quote = provider.quote(call.model, settingsOf(call), {
    highestReserved: known.quote_credits,
  });
  if (known.state === "submitting") {
    // Resending is safe only when the provider dedupes creates by idempotency key.
    if (!provider.idempotentCreate) {
      if (sendMayBeUnderWay(known)) throw stillBeingSent(known, provider);
      if (!call.resubmitInDoubt)
        throw inDoubt(
          "An earlier send of this request got no answer.",
          provider,
          known.client_request_id,
        );
      return resubmit(known, call, ctx, deps);
    }
    const resumed = await create(known, call, quote, deps, false);
    const task = taskFromEntry(resumed.entry);
    return result(
      call,
      known.client_request_id,
      quote,
      await settle(task, resumed.entry, call, ctx, deps),
      true,
      deps,
    );
  }
  let task = taskFromEntry(known);
  const read = withDeadline(ctx.signal);
  try {
    task = await provider.getTask(task.id, { signal: read.signal });
    known = await recordTaskState(deps, known, task);
  } catch {
    // The ledger's copy still carries the id; the agent can poll later.
  } finally {
    read.done();
  }
  return result(
    call,
    known.client_request_id,
    quote,
    await settle(task, known, call, ctx, deps),
    true,
    deps,
  );
}

/**
 * The in-doubt request sent again, as the agent asked, under a new client_request_id: the
 * earlier send stays in the ledger (and in the budget) in case it was created too.
 */
async function resubmit(
  known: LedgerEntry,
  call: GenerateCall,
  ctx: ToolContext,
  deps: ServerDeps,
): Promise<Answer> {
  const id = resubmissionId(known.client_request_id);
  // Sent again once only: a retry of this call (its answer lost too) gets that send back,
  // and an in-doubt resend needs its own explicit resubmit to go again.
  const earlier = await deps.store.findByClientRequestId(deps.owner, id);
  if (earlier) return replay(earlier, { ...call, resubmitInDoubt: false }, ctx, deps);
  const quote = await quoteFor(call.model, settingsOf(call), deps);
  const { entry } = await submit(call, id, quote, ctx, deps);
  const settled = await settle(taskFromEntry(entry), entry, call, ctx, deps);
  const out = result(call, id, quote, settled, false, deps);
  const note = `Sent again as client_request_id "${id}". The first send ("${known.client_request_id}") stays listed as in doubt: if it was created too, both are charged.`;
  return { ...out, text: `${out.text} ${note}` };
}

/** "<id>~2", within the 128-character limit: the one id a resend of <id> ever gets. */
function resubmissionId(base: string): string {
  return `${base.slice(0, 126)}~2`;
}

const DESCRIPTION =
  "Submit a video; returns the task id at once, or waits up to wait_seconds. A family id (kling-3.0) lets the server pick the provider. Above {confirm_above} credits the person must agree (confirm: true); {daily_budget}.";

export const generateVideoTool = (models: readonly ModelTable[]) =>
  defineTool({
    name: "generate_video",
    title: "Generate a video",
    description: DESCRIPTION,
    inputSchema: generateInputSchema(models),
    outputSchema,
    annotations: CREATES,
    parse: (args) => parseGenerateCall(models, args),
    async handler(call, ctx, deps) {
      const own = deps.providers.list.flatMap((p) => p.linkOrigins ?? []);
      checkReferenceUrls(call, own);
      await checkReferenceOwners(call, deps.owner, deps.store);
      if (call.model.members) return generateInFamily(call, models, ctx, deps);
      // A dry run never submits, not even an earlier request's unsettled intent.
      if (call.dryRun) {
        const quote = await quoteFor(call.model, settingsOf(call), deps);
        return dryRun(call, call.clientRequestId ?? `auto_${randomUUID()}`, quote, deps);
      }
      const requestId = requestIdOf(call, ctx);
      if (requestId) {
        const known = await deps.store.findByClientRequestId(deps.owner, requestId);
        if (known) return replay(known, call, ctx, deps);
      }
      const clientRequestId = requestId ?? `auto_${randomUUID()}`;
      const quote = await quoteFor(call.model, settingsOf(call), deps);
      const { entry, replayed } = await submit(call, clientRequestId, quote, ctx, deps);
      const settled = await settle(taskFromEntry(entry), entry, call, ctx, deps);
      return result(call, clientRequestId, quote, settled, replayed, deps);
    },
  });

/**
 * The agent's client_request_id; else, for a call answering the person's yes (2026), one
 * derived from that answer: a resent answer then finds the first send's task instead of
 * paying again.
 */
function requestIdOf(call: GenerateCall, ctx: ToolContext): string | undefined {
  return call.clientRequestId ?? (ctx.approval ? `approved_${ctx.approval}` : undefined);
}

/** A family call: routed to a member (see family.ts), then answered as that member's call. */
async function generateInFamily(
  call: GenerateCall,
  models: readonly ModelTable[],
  ctx: ToolContext,
  deps: ServerDeps,
) {
  const requestId = call.dryRun ? undefined : requestIdOf(call, ctx);
  const known = requestId && (await deps.store.findByClientRequestId(deps.owner, requestId));
  const routing = known
    ? await routeKnown(call, known.model, models, deps)
    : await route(call, models, deps);
  const [best] = routing.members as [Member, ...Member[]];
  const routeView = (chosen: Member, notes: string[] = []) => ({
    family: call.model.id,
    model: chosen.call.model.id,
    provider: chosen.provider.id,
    why: routing.why,
    quotes: routing.members.map((m) => ({
      model: m.call.model.id,
      provider: m.provider.id,
      credits: m.quote.amount,
      unit: m.quote.unit,
      ...(m.usd === undefined ? {} : { usd: Math.round(m.usd * 100) / 100 }),
    })),
    ...(routing.refused.length ? { cannot: routing.refused } : {}),
    ...(notes.length ? { notes } : {}),
  });
  const said = (chosen: Member, notes: string[] = []) =>
    ` Routed ${call.model.id} to ${chosen.call.model.id} at ${chosen.provider.displayName}: ${routing.why}.${notes.length ? ` ${notes.join(" ")}` : ""}`;
  const withRoute = <R extends { structured: Output; text: string }>(
    r: R,
    chosen: Member,
    notes?: string[],
  ) => ({
    ...r,
    structured: { ...r.structured, route: routeView(chosen, notes) },
    text: `${r.text}${said(chosen, notes)}`,
  });
  if (call.dryRun) {
    const id = call.clientRequestId ?? `auto_${randomUUID()}`;
    return withRoute(dryRun(best.call, id, best.quote, deps), best);
  }
  if (known) {
    const same = routing.members.find((m) => m.call.model.id === known.model);
    if (same) return withRoute(await replay(known, same.call, ctx, deps), same);
    throw new ToolInputError(
      `client_request_id "${known.client_request_id}" was already used for a ${known.model} request that this call would not route to. Use a new client_request_id, or call with model ${known.model}.`,
    );
  }
  const clientRequestId = requestId ?? `auto_${randomUUID()}`;
  const routed = await submitRouted(routing, clientRequestId, ctx, deps);
  const { member } = routed;
  const settled = await settle(taskFromEntry(routed.entry), routed.entry, member.call, ctx, deps);
  const answer = result(member.call, clientRequestId, member.quote, settled, routed.replayed, deps);
  return withRoute(answer, member, routed.notes);
}

/** Everything but the submission: the exact upstream request and its cost. */
function dryRun(call: GenerateCall, clientRequestId: string, quote: Quote, deps: ServerDeps) {
  const cost = costOf(call.model, quote);
  // The spend guard's own tests, so a family member's price is held to max_credits and the
  // threshold in the family's unit here too.
  const spend = spendRequest(call, quote, deps);
  const over = overCeiling(spend);
  if (over) throw over;
  const confirm = needsConfirmation(spend, deps.config.confirmAbove)
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
