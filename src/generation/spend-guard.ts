/**
 * The checks between a valid request and money being spent: the caller's own ceiling, the
 * daily budget, and the person's confirmation for dear calls. Each refusal costs nothing
 * and says what to do instead. Every check uses the quote (the best known price), never a
 * lower catalog figure.
 */
import { ToolError, ToolInputError } from "../errors/tool-error.js";
import type { Provider } from "../providers/types.js";
import { type SpendCheck, startOfUtcDay } from "../store/types.js";
import type { ServerDeps, ToolContext } from "./context.js";

export interface SpendRequest {
  provider: Provider;
  /** In the provider's credits. */
  quote: number;
  /** The quote is a guess (no published price): needs max_credits and a yes at any amount. */
  estimate?: boolean;
  /** In the credits of `limits` when given, else the provider's. */
  maxCredits: number | undefined;
  confirmed: boolean;
  summary: string;
  /** Set when max_credits and the confirmation threshold count another provider's credits. */
  limits?: LimitUnit | undefined;
  /** How the agent confirms, when calling again with confirm: true would not (family.ts). */
  confirmStep?: string | undefined;
}

/**
 * The credits a family call's max_credits and confirmation threshold count (its first
 * provider's, see tools/family.ts) and what one of this provider's credits is worth in them:
 * undefined when no USD rates convert them, and then they are never compared as if equal.
 */
export interface LimitUnit {
  unit: string;
  perCredit: number | undefined;
}

/**
 * An amount of a provider's credits in the credits `limits` count (four decimals, as prices
 * are quoted), or undefined when no rates convert them. list_models, routing and the spend
 * guard all convert through this, so they compare the same numbers.
 */
export function inLimitUnit(amount: number, limits: LimitUnit): number | undefined {
  const { perCredit } = limits;
  return perCredit === undefined ? undefined : Math.round(amount * perCredit * 10_000) / 10_000;
}

/** The quote in the credits the limits count, or undefined when it cannot be converted. */
export function limitQuote(req: SpendRequest): number | undefined {
  return req.limits ? inLimitUnit(req.quote, req.limits) : req.quote;
}

const limitUnitOf = (req: SpendRequest) => req.limits?.unit ?? req.provider.unit;

/** "27 EvoLink credits", with its worth in the limits' credits when those are another's. */
function costWords(req: SpendRequest): string {
  const own = `${req.quote} ${req.provider.unit}`;
  const counted = limitQuote(req);
  if (counted === undefined || limitUnitOf(req) === req.provider.unit) return own;
  return `${own} (${counted} ${limitUnitOf(req)} at the USD rates)`;
}

/** The smallest max_credits that lets the quote through, in the credits max_credits counts. */
function leastWords(req: SpendRequest): string {
  const counted = limitQuote(req);
  return counted === undefined
    ? `${req.quote} ${req.provider.unit}`
    : `${counted} ${limitUnitOf(req)}`;
}

/** The refusal for a quote above the caller's max_credits, or undefined. */
export function overCeiling(req: SpendRequest): ToolInputError | undefined {
  if (req.maxCredits === undefined) return undefined;
  const counted = limitQuote(req);
  const cap = `max_credits ${req.maxCredits} ${limitUnitOf(req)}`;
  if (counted === undefined)
    return new ToolInputError(
      `This call costs ${costWords(req)}, and ${cap} cannot be compared with it without --usd-per-credit rates for both providers. Name the model directly (list_models) with max_credits in ${req.provider.unit}. Nothing was submitted.`,
    );
  if (counted <= req.maxCredits) return undefined;
  return new ToolInputError(
    `This call costs ${costWords(req)}, above ${cap}. Raise max_credits or pick a cheaper model or setting (list_models). Nothing was submitted.`,
  );
}

/** Whether the person must agree: above the threshold (in the limits' credits), a guess, or not comparable. */
export function needsConfirmation(req: SpendRequest, threshold: number): boolean {
  const counted = limitQuote(req);
  return req.estimate === true || counted === undefined || counted > threshold;
}

/**
 * What one of the provider's credits counts as in the daily budget: dollars per credit when
 * budgets are in dollars, undefined when they are in the (one) provider's credits.
 */
export function budgetRate(provider: Provider, deps: ServerDeps): number | undefined {
  return deps.config.budgetInUsd ? deps.config.usdPerCredit?.[provider.id] : undefined;
}

const dollars = (n: number) => `$${n.toFixed(2)}`;

/** The refusal for a cost that does not fit what is left of today's budget, or undefined. */
function overBudget(
  credits: number,
  rate: number | undefined,
  spent: number,
  budget: number,
): ToolError | undefined {
  const cost = credits * (rate ?? 1);
  const left = Math.max(0, budget - spent);
  if (cost <= left) return undefined;
  const reset = new Date(startOfUtcDay(new Date()).getTime() + 86_400_000).toISOString();
  const words =
    rate === undefined
      ? `${credits} credits but only ${left} of today's budget of ${budget} are left`
      : `${dollars(cost)} (${credits} credits) but only ${dollars(left)} of today's budget of ${dollars(budget)} are left`;
  return new ToolError(
    `This call costs ${words} (resets at ${reset}). Nothing was submitted. Refunds of failed tasks count back once get_task has seen them.`,
    "insufficient_credits",
    false,
  );
}

/**
 * The check `Store.openIntent` runs under its lock with the owner's spend so far today, so
 * concurrent calls (from this or another process) cannot share one remaining budget. It also
 * refuses a call cancelled while it waited for the lock: nothing has been sent yet.
 */
export function budgetCheck(
  quote: number,
  rate: number | undefined,
  signal: AbortSignal,
  deps: ServerDeps,
): SpendCheck {
  return (spentToday) => {
    signal.throwIfAborted();
    if (deps.dailyBudget === undefined) return;
    const refusal = overBudget(quote, rate, spentToday, deps.dailyBudget);
    if (refusal) throw refusal;
  };
}

/** An early, unlocked look at the budget, so nobody is asked to approve a call it refuses. */
async function precheckBudget(req: SpendRequest, deps: ServerDeps): Promise<void> {
  if (deps.dailyBudget === undefined) return;
  const spent = await deps.store.spentSince(deps.owner, startOfUtcDay(new Date()));
  const refusal = overBudget(req.quote, budgetRate(req.provider, deps), spent, deps.dailyBudget);
  if (refusal) throw refusal;
}

async function checkConfirmation(
  req: SpendRequest,
  ctx: ToolContext,
  deps: ServerDeps,
): Promise<void> {
  const threshold = deps.config.confirmAbove;
  if (!needsConfirmation(req, threshold)) return;
  let balance = "unknown";
  try {
    const credits = await req.provider.balance?.({ signal: ctx.signal });
    if (credits !== undefined) balance = `${credits} ${req.provider.unit}`;
  } catch {
    // The question is still worth asking without the balance.
  }
  ctx.signal.throwIfAborted();
  const unit = req.provider.unit;
  const cost = req.estimate
    ? `has no published price (estimated at ${req.quote} ${unit}; you set at most ${req.maxCredits} ${limitUnitOf(req)})`
    : `will cost ${costWords(req)}`;
  const question = `${req.summary} ${cost} (balance: ${balance}). Submit it?`;
  const answer = await ctx.askPerson(question, `${req.summary} ${cost}`);
  // A question cancelled or timed out is a decline (askPerson says false), never a yes.
  ctx.signal.throwIfAborted();
  if (answer === true) return;
  if (answer === false) {
    throw new ToolError(
      "Not submitted: the person declined. Nothing was spent.",
      "cancelled",
      false,
    );
  }
  if (req.confirmed) return;
  // Retryable: the same call succeeds once the person has agreed and confirm: true is sent.
  if (req.estimate)
    throw new ToolError(
      `These settings have no published price (estimated at ${req.quote} ${unit}; the real charge may differ). Ask the person whether to spend up to about ${req.maxCredits} ${limitUnitOf(req)} (balance: ${balance}), then call again with confirm: true. Nothing was submitted.`,
      "confirmation_required",
      true,
    );
  const counted = limitQuote(req);
  // The amount goes back as max_credits, so the yes cannot pay more than was agreed.
  const step =
    req.confirmStep ??
    (counted === undefined
      ? "call again with confirm: true"
      : `call again with confirm: true and max_credits: ${counted} (${limitUnitOf(req)})`);
  const why =
    counted === undefined
      ? `and the confirmation threshold of ${threshold} ${limitUnitOf(req)} cannot be compared with it without --usd-per-credit rates for both providers`
      : `above the confirmation threshold of ${threshold} ${limitUnitOf(req)}`;
  throw new ToolError(
    `This call costs ${costWords(req)}, ${why}. Ask the person whether to spend ${req.quote} ${unit} (balance: ${balance}), then ${step}. Nothing was submitted.`,
    "confirmation_required",
    true,
  );
}

/** Everything that must pass before an intent is written; the budget is checked again then. */
export async function guardSpend(
  req: SpendRequest,
  ctx: ToolContext,
  deps: ServerDeps,
): Promise<void> {
  if (req.estimate && req.maxCredits === undefined) {
    throw new ToolInputError(
      `These settings have no published price: ${req.quote} ${req.provider.unit} is an estimate and the real charge may differ. Pass max_credits (the most the person will pay, at least ${leastWords(req)}) and get their confirmation. Nothing was submitted.`,
    );
  }
  const over = overCeiling(req);
  if (over) throw over;
  await precheckBudget(req, deps);
  await checkConfirmation(req, ctx, deps);
}
