/**
 * The retry policy as data, plus the pure decisions made from it. The HTTP loop in
 * `http-call.ts` only asks `decideRetry` what to do, so every rule here is unit-testable
 * without a socket or a clock.
 */

export interface RetryPolicy {
  /** Attempts in total, the first one included. */
  maxAttempts: number;
  /** Base of the exponential backoff; each wait is a uniform draw in [0, base·2^(n-1)]. */
  baseDelayMs: number;
  /** Cap for the computed backoff (a server's Retry-After is not capped by it, only by the budget). */
  maxDelayMs: number;
  /** Total time budget for one call, waits included. */
  maxElapsedMs: number;
  retryStatuses: readonly number[];
  retryNetworkErrors: boolean;
}

export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  maxAttempts: 4,
  baseDelayMs: 300,
  maxDelayMs: 5000,
  maxElapsedMs: 20_000,
  retryStatuses: Object.freeze([429, 500, 502, 503, 504]),
  retryNetworkErrors: true,
});

export function resolveRetryPolicy(partial: Partial<RetryPolicy> = {}): RetryPolicy {
  // Drop explicit `undefined`s (plain-JS callers) so they fall back to the defaults.
  const given = Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined));
  const p: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...given };
  const delays = [p.baseDelayMs, p.maxDelayMs, p.maxElapsedMs];
  if (!Number.isInteger(p.maxAttempts) || p.maxAttempts < 1 || delays.some((n) => !(n >= 0))) {
    throw new RangeError("retry policy: maxAttempts must be an integer >= 1 and delays >= 0");
  }
  return p;
}

const HTTP_DATE = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,?\s/;

/**
 * `Retry-After` as seconds from `nowMs`: delay-seconds or an HTTP-date (a past date means 0).
 * Anything else is `undefined`, so the caller falls back to its own backoff.
 */
export function parseRetryAfter(
  value: string | readonly string[] | undefined | null,
  nowMs: number = Date.now(),
): number | undefined {
  const raw = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!raw) return undefined;
  if (/^\d+(\.\d+)?$/.test(raw)) return Number(raw);
  // Date.parse accepts almost anything ("1", "x 12"), so insist on an HTTP-date's weekday prefix.
  if (!HTTP_DATE.test(raw)) return undefined;
  const at = Date.parse(raw);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - nowMs) / 1000));
}

/** Full-jitter exponential backoff for the wait after failed attempt `attempt` (1-based). */
export function computeBackoffMs(
  attempt: number,
  policy: Pick<RetryPolicy, "baseDelayMs" | "maxDelayMs">,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}

/**
 * How much of a request may already have reached the server. `idempotent` requests (GET, or a
 * POST carrying an Idempotency-Key) may be resent after anything; `unsafe` ones only when the
 * server certainly did not act on them.
 */
export type RequestSafety = "idempotent" | "unsafe";

export type AttemptOutcome =
  | { type: "status"; status: number; retryAfterSeconds: number | undefined }
  /** `connect`: failed before any byte was sent; `sent`: the request may have been processed. */
  | { type: "transport"; phase: "connect" | "sent"; transient: boolean };

export type RetryDecision =
  | { retry: true; delayMs: number }
  | { retry: false; why: "not_retryable" | "attempts" | "budget" | "retry_after_exceeds_budget" };

/** Statuses that say "not processed" even for a POST without an idempotency key. */
const NOT_PROCESSED_STATUSES = new Set([429, 503]);

/** Whether this outcome may be retried at all for a request of this safety class. */
function isRetryable(outcome: AttemptOutcome, safety: RequestSafety, policy: RetryPolicy): boolean {
  if (outcome.type === "status") {
    if (!policy.retryStatuses.includes(outcome.status)) return false;
    return safety === "idempotent" || NOT_PROCESSED_STATUSES.has(outcome.status);
  }
  if (!policy.retryNetworkErrors || !outcome.transient) return false;
  return safety === "idempotent" || outcome.phase === "connect";
}

export function decideRetry(
  outcome: AttemptOutcome,
  ctx: { safety: RequestSafety; attempt: number; elapsedMs: number; policy: RetryPolicy },
  random: () => number = Math.random,
): RetryDecision {
  const { policy } = ctx;
  if (!isRetryable(outcome, ctx.safety, policy)) return { retry: false, why: "not_retryable" };
  if (ctx.attempt >= policy.maxAttempts) return { retry: false, why: "attempts" };
  const remaining = policy.maxElapsedMs - ctx.elapsedMs;
  if (outcome.type === "status" && outcome.retryAfterSeconds !== undefined) {
    const retryAfterMs = outcome.retryAfterSeconds * 1000;
    return retryAfterMs > remaining
      ? { retry: false, why: "retry_after_exceeds_budget" }
      : { retry: true, delayMs: retryAfterMs };
  }
  const delayMs = computeBackoffMs(ctx.attempt, policy, random);
  return delayMs > remaining ? { retry: false, why: "budget" } : { retry: true, delayMs };
}
