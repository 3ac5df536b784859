/**
 * The part of generate_video that costs credits. Order matters: spend checks, then a
 * write-ahead intent on disk, then the create under a stable idempotency key, then the
 * intent becomes the task. Whatever happens after the intent is written — a crash, a
 * timeout, a dropped reply — the ledger shows a request whose outcome may be unknown, and a
 * retry with the same client_request_id settles it without a second charge.
 */
import { createHash, randomBytes } from "node:crypto";
import type { ModelTable } from "../catalog/types.js";
import { classifyError as classify } from "../errors/classify.js";
import { ToolError } from "../errors/tool-error.js";
import type { GenerationRequest, Provider, Submission } from "../providers/types.js";
import { DuplicateRequestError, type LedgerEntry } from "../store/types.js";
import type { ServerDeps, ToolContext } from "./context.js";
import { hashRequest, newIntent, recordSafely, withTaskState } from "./ledger.js";
import { learnReservation, type Quote } from "./quote.js";
import {
  budgetCheck,
  budgetRate,
  guardSpend,
  type LimitUnit,
  type SpendRequest,
} from "./spend-guard.js";

/**
 * The idempotency key is derived from the client_request_id and the caller, so the same
 * logical request maps to the same upstream task across tool retries and server restarts.
 */
function idempotencyKeyFor(owner: string, clientRequestId: string): string {
  const digest = createHash("sha256").update(`${owner}\n${clientRequestId}`).digest("hex");
  return `rmcp_${digest.slice(0, 40)}`;
}

/** A validated generate_video call, as far as paying for it goes. */
export interface PaidCall {
  model: ModelTable;
  body: GenerationRequest;
  maxCredits: number | undefined;
  confirmed: boolean;
  /** A family member's: max_credits and the threshold count the family's credits (family.ts). */
  limits?: LimitUnit | undefined;
  /** How to confirm this member when confirm: true on the family call does not (family.ts). */
  confirmStep?: string | undefined;
}

/** The model settings as sent, without reference media: what the price depends on. */
export function settingsOf(call: PaidCall): Record<string, unknown> {
  const { referenceMediaItems: _, ...settings } = call.body.params ?? {};
  return settings;
}

export interface Submitted {
  entry: LedgerEntry;
  /** Upstream answered with an earlier create of the same key (no second charge). */
  replayed: boolean;
}

export async function submit(
  call: PaidCall,
  clientRequestId: string,
  quote: Quote,
  ctx: ToolContext,
  deps: ServerDeps,
): Promise<Submitted> {
  const { model, body } = call;
  const provider = deps.providers.forModel(model);
  await guardSpend(spendRequest(call, quote, deps), ctx, deps);

  const intent = newIntent({
    owner: deps.owner,
    clientRequestId,
    idempotencyKey: idempotencyKeyFor(deps.owner, clientRequestId),
    provider: provider.id,
    model: model.id,
    requestHash: hashRequest(body),
    settings: settingsOf(call),
    prompt: body.prompt,
    quote: quote.amount,
  });
  const rate = budgetRate(provider, deps);
  if (rate !== undefined) intent.budget_rate = rate;
  // Providers that call back get a URL with a secret of this request's own.
  if (deps.config.publicUrl && provider.taskIdFromCallback)
    intent.callback_token = randomBytes(24).toString("base64url");
  // If this write fails, no create is sent: the call fails before anything is paid.
  await deps.store
    .openIntent(intent, budgetCheck(quote.amount, rate, ctx.signal, deps))
    .catch((err: unknown) => {
      throw err instanceof DuplicateRequestError ? alreadyUnderWay(err.existing) : err;
    });
  if (ctx.signal.aborted) {
    // Cancelled while the intent was written: nothing was sent, so nothing is owed.
    await deps.store.remove(deps.owner, intent.id).catch(() => {});
    ctx.signal.throwIfAborted();
  }
  return create(intent, call, quote, deps);
}

/** What the spend guard checks of this call: its price against the caller's limits. */
export function spendRequest(call: PaidCall, quote: Quote, deps: ServerDeps): SpendRequest {
  const { model, body } = call;
  return {
    provider: deps.providers.forModel(model),
    quote: quote.amount,
    estimate: quote.estimate === true,
    maxCredits: call.maxCredits,
    confirmed: call.confirmed,
    summary: `A ${model.displayName} video ("${body.prompt.slice(0, 80)}")`,
    limits: call.limits,
    confirmStep: call.confirmStep,
  };
}

/** Intents whose create this process is sending right now (by ledger id). */
const sending = new Set<string>();
/**
 * Intents whose create this process sent and got no settling answer for (by ledger id): their
 * send is over, the outcome unknown. Bounded: only recent ones matter (see SEND_WINDOW_MS).
 */
const endedUnanswered = new Set<string>();
const ENDED_KEPT = 1_000;

/**
 * Longer than any create may take from its intent's write to its answer (EvoLink's client
 * waits up to 30 s for headers and 60 s for the body; its creates are not retried).
 */
export const SEND_WINDOW_MS = 120_000;

/**
 * Whether an intent's create may still be on its way: this process is sending it, or it was
 * written moments ago by a process that may be (another replica, or this one before a
 * restart) and not by a send of this process that has already ended. A request in this state
 * is neither created nor in doubt yet: a resend now could race the first send and pay twice.
 */
export function sendMayBeUnderWay(entry: LedgerEntry, now = Date.now()): boolean {
  if (entry.state !== "submitting") return false;
  if (sending.has(entry.id)) return true;
  if (endedUnanswered.has(entry.id)) return false;
  return now - Date.parse(entry.created_at) < SEND_WINDOW_MS;
}

function endedWithoutAnswer(id: string): void {
  endedUnanswered.add(id);
  if (endedUnanswered.size > ENDED_KEPT) {
    const [oldest] = endedUnanswered;
    if (oldest !== undefined) endedUnanswered.delete(oldest);
  }
}

/**
 * Sends (or resends) an intent's create. Not cancellable: a create aborted mid-flight may
 * still be charged. A definite refusal clears the intent; an unknown outcome keeps it open.
 */
export async function create(
  intent: LedgerEntry,
  call: PaidCall,
  quote: Quote,
  deps: ServerDeps,
  /** False for a resend of an earlier intent: refusing it proves nothing about the first send. */
  clearOnRefusal = true,
): Promise<Submitted> {
  const provider = deps.providers.forModel(call.model);
  // A resend while this process is still sending the same intent would race its outcome
  // (a refusal clears the intent and may fail over): that call answers first.
  if (!clearOnRefusal && sending.has(intent.id)) throw alreadyUnderWay(intent);
  let created: Submission;
  sending.add(intent.id);
  try {
    try {
      created = await provider.submit(
        { ...call.body, client_request_id: intent.client_request_id },
        { idempotencyKey: intent.idempotency_key, callbackUrl: callbackUrl(intent, deps) },
      );
    } catch (err) {
      if (clearOnRefusal && provider.createdNothing(err)) {
        await deps.store.remove(intent.owner, intent.id).catch((e: unknown) => {
          deps.log.error("could not clear a refused intent", { id: intent.id, error: String(e) });
        });
        throw refused(err, provider, intent.client_request_id);
      }
      endedWithoutAnswer(intent.id);
      throw outcomeUnknown(err, provider, intent.client_request_id);
    }
    const entry = withTaskState(intent, created.task);
    // Recorded before anything else can go wrong, so the id survives a crash or a timeout.
    await recordSafely(deps, entry);
    await learnReservation(
      call.model,
      settingsOf(call),
      quote,
      created.task.reserved_credits,
      deps,
    );
    return { entry, replayed: created.replayed };
  } finally {
    // Only once the task id is recorded: until then the intent still reads "submitting", and
    // a resend in that gap would send a second create.
    sending.delete(intent.id);
  }
}

/** Where the provider reports this request's task: the public URL, the entry, its secret. */
export function callbackUrl(intent: LedgerEntry, deps: ServerDeps): string | undefined {
  const base = deps.config.publicUrl;
  const token = intent.callback_token;
  return base && token ? `${base}/callbacks/${intent.id}/${token}` : undefined;
}

/**
 * An unanswered create at a provider without idempotency: it may have been created and
 * charged, and sending it again could create and charge a second one, so nothing is resent
 * unless the agent asks for exactly that.
 */
export function inDoubt(why: string, provider: Provider, clientRequestId: string): ToolError {
  const name = provider.displayName;
  return new ToolError(
    `${why} ${name} may or may not have created (and charged) this video, and ${name} has no idempotency key, so the request was not sent again; it is recorded as "submitting — in doubt". Check get_task with task_id "${clientRequestId}" later. Sending it again is possible (generate_video with the same client_request_id and resubmit_in_doubt: true) but MAY CHARGE TWICE: ask the person first.`,
    "in_progress",
    false,
  );
}

/**
 * A request whose first send may still be on its way (sendMayBeUnderWay), at a provider
 * without idempotency: asked again shortly, the ledger will show the task or the doubt.
 */
export function stillBeingSent(entry: LedgerEntry, provider: Provider): ToolError {
  const id = entry.client_request_id;
  return new ToolError(
    `This request was sent to ${provider.displayName} at ${entry.created_at}, by this or another server, and its answer has not come back yet. Nothing more is sent meanwhile (${provider.displayName} has no idempotency key, so a second send could charge twice). Call generate_video again with the same arguments in about 15 s, or get_task with task_id "${id}": you will get its task once it is recorded.`,
    "in_progress",
    true,
    15,
  );
}

/** Another call with the same client_request_id got its intent in first: one request, one task. */
function alreadyUnderWay(existing: LedgerEntry): ToolError {
  const id = existing.client_request_id;
  return new ToolError(
    `Another call with client_request_id "${id}" is already submitting this request. Call generate_video again with the same arguments in a moment (you will get its task, charged once), or get_task with task_id "${id}".`,
    "in_progress",
    true,
    2,
  );
}

/** A refusal that may pass later (a rate limit, a pause) says how to retry; others pass as they are. */
function refused(err: unknown, provider: Provider, clientRequestId: string): NothingCreatedError {
  const c = classify(err);
  const hint = c.retryable
    ? ` ${provider.displayName} created nothing. It is safe to retry: call generate_video again with client_request_id "${clientRequestId}" and the same arguments.`
    : "";
  return new NothingCreatedError(
    `${c.message}${hint}`,
    c.category,
    c.retryable,
    provider,
    c.retryAfterSeconds,
  );
}

/** A create the provider certainly did not act on: nothing was charged, the intent is gone. */
export class NothingCreatedError extends ToolError {
  override readonly name = "NothingCreatedError";
  constructor(
    message: string,
    category: ToolError["category"],
    retryable: boolean,
    readonly provider: Provider,
    retryAfterSeconds?: number,
  ) {
    super(message, category, retryable, retryAfterSeconds);
  }
}

/** Errors after the request may have reached the provider say how to retry without paying twice. */
function outcomeUnknown(err: unknown, provider: Provider, clientRequestId: string): unknown {
  const c = classify(err);
  if (!provider.idempotentCreate) return inDoubt(c.message, provider, clientRequestId);
  const hint = `${c.message} ${provider.displayName} may or may not have created the task; the request is recorded as "submitting — outcome unknown". It is safe to retry: call generate_video again with client_request_id "${clientRequestId}" and the same arguments; you will get the same task and pay once.`;
  return new ToolError(hint, c.category, true, c.retryAfterSeconds);
}
