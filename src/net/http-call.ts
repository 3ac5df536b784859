/**
 * One upstream API call with retries, for every provider: an attempt under headers and body
 * timeouts with a size-capped body, the retry decision from `retry.ts`, and an abortable
 * sleep in between. What differs between providers is only how failures are worded and
 * typed, so each passes its own `HttpErrors`.
 */
import type { IncomingHttpHeaders } from "node:http";
import { type Dispatcher, type FormData, request } from "undici";
import { abortableSleep, abortReason, type Sleep, throwIfAborted } from "./abort.js";
import { readCapped } from "./read-capped.js";
import {
  type AttemptOutcome,
  decideRetry,
  parseRetryAfter,
  type RequestSafety,
  type RetryDecision,
  type RetryPolicy,
} from "./retry.js";
import { classifyTransportError, type TransportFailure } from "./transport-failure.js";

export interface RetryInfo {
  /** The 1-based number of the attempt that just failed. */
  attempt: number;
  delayMs: number;
  reason: string;
  method: string;
  path: string;
}

export type StopReason = Exclude<RetryDecision, { retry: true }>["why"];

/** How a provider words and types each failure; the core decides when each one applies. */
export interface HttpErrors<E extends Error & { code: string }> {
  /** Errors of the provider's own class thrown while reading an answer pass through as they are. */
  own(err: unknown): err is E;
  tooLarge(status: number): E;
  notJson(status: number): E;
  fromStatus(res: {
    status: number;
    bodyText: string;
    retryAfterSeconds: number | undefined;
    headers: IncomingHttpHeaders;
  }): E;
  fromTransport(err: unknown, failure: TransportFailure): E;
  /** Last word on the error a call ends with, e.g. a note on why it was not retried. */
  gaveUp?(error: E, why: StopReason, attempts: number, earlierMayHaveActed: boolean): void;
}

/** What stays the same for every call of one client. */
export interface HttpSettings {
  dispatcher: Dispatcher;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  /** A response body larger than this is refused instead of buffered. */
  maxResponseBytes: number;
  sleep: Sleep;
  onRetry: ((info: RetryInfo) => void) | undefined;
}

export interface HttpCall<E extends Error & { code: string }> {
  url: string | URL;
  method: "GET" | "POST";
  /** For retry reports and messages: the URL's path, never its host or query. */
  path: string;
  headers: Record<string, string>;
  /** Called for every attempt: a multipart body is a stream and cannot be sent twice. */
  body: () => string | FormData | null;
  safety: RequestSafety;
  policy: RetryPolicy;
  signal?: AbortSignal | undefined;
  errors: HttpErrors<E>;
}

export interface HttpResponse {
  status: number;
  json: unknown;
}

type AttemptResult<E> =
  | ({ ok: true } & HttpResponse)
  | { ok: false; error: E; outcome: AttemptOutcome; reason: string };

/** False only for failures that prove the server did not act on the request. */
function mayHaveActed(outcome: AttemptOutcome): boolean {
  if (outcome.type === "transport") return outcome.phase === "sent";
  return outcome.status !== 429 && outcome.status !== 503;
}

export async function sendWithRetry<E extends Error & { code: string }>(
  s: HttpSettings,
  call: HttpCall<E>,
): Promise<HttpResponse> {
  const started = Date.now();
  // Whether an earlier attempt may have reached the server and been acted on: its failure
  // came after the request was sent, or was a status other than "not processed" (429, 503).
  let earlierMayHaveActed = false;
  for (let n = 1; ; n++) {
    throwIfAborted(call.signal);
    const result = await attempt(s, call);
    if (result.ok) return { status: result.status, json: result.json };
    const { error, outcome, reason } = result;
    const decision = decideRetry(outcome, {
      safety: call.safety,
      attempt: n,
      elapsedMs: Date.now() - started,
      policy: call.policy,
    });
    if (!decision.retry) {
      call.errors.gaveUp?.(error, decision.why, n, earlierMayHaveActed);
      throw error;
    }
    earlierMayHaveActed ||= mayHaveActed(outcome);
    const { delayMs } = decision;
    try {
      s.onRetry?.({ attempt: n, delayMs, reason, method: call.method, path: call.path });
    } catch {
      // A logging hook must not turn a recoverable hiccup into a failed call.
    }
    await abortableSleep(s.sleep, delayMs, call.signal);
  }
}

/** Resolves with the outcome; rejects only for aborts and the provider's own surprises. */
async function attempt<E extends Error & { code: string }>(
  s: HttpSettings,
  call: HttpCall<E>,
): Promise<AttemptResult<E>> {
  const { errors } = call;
  try {
    const res = await request(call.url, {
      method: call.method,
      headers: call.headers,
      body: call.body(),
      dispatcher: s.dispatcher,
      signal: call.signal,
      headersTimeout: s.headersTimeoutMs,
      bodyTimeout: s.bodyTimeoutMs,
    });
    const status = res.statusCode;
    const tooLarge = () => errors.tooLarge(status);
    const text = (await readCapped(res.body, s.maxResponseBytes, tooLarge)).toString("utf8");
    if (status >= 200 && status < 300) {
      return { ok: true, status, json: parseJson(text, status, errors) };
    }
    const retryAfterSeconds = parseRetryAfter(res.headers["retry-after"]);
    const error = errors.fromStatus({
      status,
      bodyText: text,
      retryAfterSeconds,
      headers: res.headers,
    });
    const outcome: AttemptOutcome = { type: "status", status, retryAfterSeconds };
    return { ok: false, error, outcome, reason: `HTTP ${status} ${error.code}` };
  } catch (err) {
    if (call.signal?.aborted) throw abortReason(call.signal);
    if (errors.own(err)) throw err;
    const failure = classifyTransportError(err);
    const outcome: AttemptOutcome = {
      type: "transport",
      phase: failure.phase,
      transient: failure.transient,
    };
    return {
      ok: false,
      error: errors.fromTransport(err, failure),
      outcome,
      reason: failure.code,
    };
  }
}

function parseJson<E extends Error & { code: string }>(
  text: string,
  status: number,
  errors: HttpErrors<E>,
): unknown {
  if (text.trim() === "") return null;
  try {
    return JSON.parse(text);
  } catch {
    throw errors.notJson(status);
  }
}
