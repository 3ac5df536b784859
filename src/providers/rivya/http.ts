/**
 * One API call with retries: the loop that asks `retry.ts` whether to try again and sleeps
 * (abortably) in between. Attempts themselves live in `attempt.ts`.
 */
import type { Dispatcher, FormData } from "undici";
import { abortableSleep, type Sleep, throwIfAborted } from "./abort.js";
import { attempt } from "./attempt.js";
import { type AttemptOutcome, decideRetry, type RetryDecision, type RetryPolicy } from "./retry.js";

export interface RetryInfo {
  /** The 1-based number of the attempt that just failed. */
  attempt: number;
  delayMs: number;
  reason: string;
  method: string;
  path: string;
}

export interface HttpConfig {
  /** Normalised base, e.g. `https://rivya.ai/api/v1` (no trailing slash). */
  apiBase: string;
  apiKey: string | undefined;
  userAgent: string;
  policy: RetryPolicy;
  dispatcher: Dispatcher;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  sleep: Sleep;
  onRetry: ((info: RetryInfo) => void) | undefined;
  /** A response body larger than this is refused instead of buffered. */
  maxResponseBytes: number;
}

export interface HttpRequest {
  method: "GET" | "POST";
  /** Under `/api/v1`, path parameters already encoded. */
  path: string;
  auth: boolean;
  json?: unknown;
  /** A multipart body is a stream, so it is rebuilt for every attempt. */
  form?: () => FormData;
  idempotencyKey?: string | undefined;
  signal?: AbortSignal | undefined;
}

export interface HttpResponse {
  status: number;
  json: unknown;
}

const GAVE_UP: Record<Exclude<RetryDecision, { retry: true }>["why"], string> = {
  not_retryable: "",
  attempts: "Gave up after {n} attempts.",
  budget: "Gave up after {n} attempts: the retry time budget ran out.",
  retry_after_exceeds_budget: "Rivya asked to wait longer than the remaining retry time budget.",
};

/** False only for failures that prove the server did not act on the request. */
function mayHaveActed(outcome: AttemptOutcome): boolean {
  if (outcome.type === "transport") return outcome.phase === "sent";
  return outcome.status !== 429 && outcome.status !== 503;
}

export async function send(cfg: HttpConfig, req: HttpRequest): Promise<HttpResponse> {
  const ctx = {
    method: req.method,
    path: `/api/v1${req.path}`,
    apiKey: cfg.apiKey,
    idempotencyKey: req.idempotencyKey,
    // A POST without an idempotency key may only be resent when it was certainly not processed.
    unsafe: req.method !== "GET" && !req.idempotencyKey,
  };
  const headers: Record<string, string> = {
    accept: "application/json",
    "user-agent": cfg.userAgent,
  };
  if (req.auth && cfg.apiKey) headers.authorization = `Bearer ${cfg.apiKey}`;
  if (req.idempotencyKey) headers["idempotency-key"] = req.idempotencyKey;
  if (req.json !== undefined) headers["content-type"] = "application/json";
  const jsonBody = req.json === undefined ? null : JSON.stringify(req.json);
  const started = Date.now();
  // Whether an earlier attempt may have reached the server and been acted on: its failure
  // came after the request was sent, or was a status other than "not processed" (429, 503).
  let earlierMayHaveActed = false;

  for (let n = 1; ; n++) {
    throwIfAborted(req.signal);
    const result = await attempt(
      {
        url: `${cfg.apiBase}${req.path}`,
        method: req.method,
        headers,
        body: req.form ? req.form() : jsonBody,
        dispatcher: cfg.dispatcher,
        signal: req.signal,
        headersTimeoutMs: cfg.headersTimeoutMs,
        bodyTimeoutMs: cfg.bodyTimeoutMs,
        maxResponseBytes: cfg.maxResponseBytes,
      },
      ctx,
    );
    if (result.ok) return { status: result.status, json: result.json };
    const { error, outcome, reason } = result;
    const decision = decideRetry(outcome, {
      safety: ctx.unsafe ? "unsafe" : "idempotent",
      attempt: n,
      elapsedMs: Date.now() - started,
      policy: cfg.policy,
    });
    if (!decision.retry) {
      const note = GAVE_UP[decision.why].replace("{n}", String(n));
      if (note && (n > 1 || decision.why === "retry_after_exceeds_budget")) {
        error.message = `${error.message} ${note}`;
      }
      error.earlierAttemptMayHaveActed = earlierMayHaveActed;
      throw error;
    }
    earlierMayHaveActed ||= mayHaveActed(outcome);
    const { delayMs } = decision;
    try {
      cfg.onRetry?.({ attempt: n, delayMs, reason, method: req.method, path: ctx.path });
    } catch {
      // A logging hook must not turn a recoverable hiccup into a failed call.
    }
    await abortableSleep(cfg.sleep, delayMs, req.signal);
  }
}
