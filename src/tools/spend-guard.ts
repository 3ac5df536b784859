/**
 * The checks between a valid request and money being spent: the caller's own ceiling, the
 * daily budget, and the person's confirmation for dear calls. Each refusal costs nothing
 * and says what to do instead.
 */
import type { ModelTable } from "../catalog/types.js";
import { ToolError, ToolInputError } from "./errors.js";
import type { ServerDeps, ToolContext } from "./types.js";

export interface SpendRequest {
  model: ModelTable;
  cost: number;
  maxCredits: number | undefined;
  confirmed: boolean;
  summary: string;
}

export function startOfUtcDay(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
}

async function checkBudget(cost: number, deps: ServerDeps): Promise<void> {
  if (deps.dailyBudget === undefined) return;
  const now = new Date();
  const spent = await deps.store.spentSince(deps.owner, startOfUtcDay(now));
  const left = Math.max(0, deps.dailyBudget - spent);
  if (cost <= left) return;
  const reset = new Date(startOfUtcDay(now).getTime() + 86_400_000).toISOString();
  throw new ToolError(
    `This call costs ${cost} credits but only ${left} of today's budget of ${deps.dailyBudget} are left (resets at ${reset}). Nothing was submitted. Refunds of failed tasks count back once get_task has seen them.`,
    "insufficient_credits",
    false,
  );
}

async function checkConfirmation(
  req: SpendRequest,
  ctx: ToolContext,
  deps: ServerDeps,
): Promise<void> {
  const threshold = deps.config.confirmAbove;
  if (req.cost <= threshold) return;
  let balance = "unknown";
  try {
    balance = String(await deps.client.getCredits({ signal: ctx.signal }));
  } catch {
    // The question is still worth asking without the balance.
  }
  const question = `${req.summary} will cost ${req.cost} credits (balance: ${balance}). Submit it?`;
  const answer = await ctx.askPerson(question);
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
  throw new ToolError(
    `This call costs ${req.cost} credits, above the confirmation threshold of ${threshold}. Ask the person whether to spend ${req.cost} credits (balance: ${balance}), then call again with confirm: true. Nothing was submitted.`,
    "confirmation_required",
    true,
  );
}

export async function guardSpend(
  req: SpendRequest,
  ctx: ToolContext,
  deps: ServerDeps,
): Promise<void> {
  if (req.maxCredits !== undefined && req.cost > req.maxCredits) {
    throw new ToolInputError(
      `This call costs ${req.cost} credits, above max_credits ${req.maxCredits}. Raise max_credits or pick a cheaper model or setting (list_models).`,
    );
  }
  await checkBudget(req.cost, deps);
  await checkConfirmation(req, ctx, deps);
}

const ownerQueues = new Map<string, Promise<unknown>>();

/**
 * Runs one person's budget-checked submissions one at a time, so two concurrent calls
 * cannot both pass the same remaining budget. Only used when a budget is set: without
 * one there is nothing to race for, and creates stay concurrent.
 */
export function oneAtATimePerOwner<T>(deps: ServerDeps, work: () => Promise<T>): Promise<T> {
  if (deps.dailyBudget === undefined) return work();
  const previous = ownerQueues.get(deps.owner) ?? Promise.resolve();
  const run = previous.then(work, work);
  const settled = run.catch(() => {});
  ownerQueues.set(deps.owner, settled);
  void settled.then(() => {
    if (ownerQueues.get(deps.owner) === settled) ownerQueues.delete(deps.owner);
  });
  return run;
}
