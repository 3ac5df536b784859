/**
 * One EvoLink call with retries. The decisions come from the Rivya client's pure retry policy
 * (src/rivya/retry.ts): a read is `idempotent`, a create is `unsafe` and is sent with no retry
 * status at all, so only a connect-phase failure (no byte left) can ever repeat it.
 */
import { type Dispatcher, type FormData, request } from "undici";
import { readCapped } from "../../net/read-capped.js";
import { abortableSleep, abortReason, type Sleep, throwIfAborted } from "../rivya/abort.js";
import { decideRetry, parseRetryAfter, type RetryPolicy } from "../rivya/retry.js";
import { classifyTransportError } from "../rivya/transport-errors.js";
import {
  type ErrorContext,
  errorFromResponse,
  errorFromTransport,
  unexpectedResponse,
} from "./error-map.js";
import { EvolinkError } from "./errors.js";

export interface EvolinkRetryInfo {
  attempt: number;
  delayMs: number;
  reason: string;
  method: string;
  path: string;
}

export interface HttpConfig {
  apiKey: string | undefined;
  userAgent: string;
  policy: RetryPolicy;
  dispatcher: Dispatcher;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  sleep: Sleep;
  onRetry: ((info: EvolinkRetryInfo) => void) | undefined;
  maxResponseBytes: number;
}

export interface HttpRequest {
  method: "GET" | "POST";
  url: URL;
  json?: unknown;
  /** A multipart body is a stream, so it is rebuilt for every attempt. */
  form?: () => FormData;
  /** A generation create: no idempotency key exists, so it must not be resent once sent. */
  isCreate?: boolean;
  signal?: AbortSignal | undefined;
}

export async function send(cfg: HttpConfig, req: HttpRequest): Promise<unknown> {
  const isCreate = req.isCreate === true;
  const ctx: ErrorContext = {
    method: req.method,
    path: req.url.pathname,
    apiKey: cfg.apiKey,
    isCreate,
  };
  // A create keeps only the connect-phase retry: no status proves it was not processed.
  const policy = isCreate ? { ...cfg.policy, retryStatuses: [] } : cfg.policy;
  const headers: Record<string, string> = {
    accept: "application/json",
    "user-agent": cfg.userAgent,
  };
  if (cfg.apiKey) headers.authorization = `Bearer ${cfg.apiKey}`;
  if (req.json !== undefined) headers["content-type"] = "application/json";
  const jsonBody = req.json === undefined ? null : JSON.stringify(req.json);
  const started = Date.now();
  for (let n = 1; ; n++) {
    throwIfAborted(req.signal);
    const body = req.form ? req.form() : jsonBody;
    const result = await attempt(cfg, req, headers, body, ctx);
    if (result.ok) return result.json;
    const decision = decideRetry(result.outcome, {
      safety: req.method === "GET" ? "idempotent" : "unsafe",
      attempt: n,
      elapsedMs: Date.now() - started,
      policy,
    });
    if (!decision.retry) {
      if (n > 1) result.error.message += ` Gave up after ${n} attempts.`;
      throw result.error;
    }
    const info = { attempt: n, delayMs: decision.delayMs, reason: result.reason };
    try {
      cfg.onRetry?.({ ...info, method: req.method, path: ctx.path });
    } catch {
      // A logging hook must not turn a recoverable hiccup into a failed call.
    }
    await abortableSleep(cfg.sleep, decision.delayMs, req.signal);
  }
}

type Outcome = Parameters<typeof decideRetry>[0];
type AttemptResult =
  | { ok: true; json: unknown }
  | { ok: false; error: EvolinkError; outcome: Outcome; reason: string };

async function attempt(
  cfg: HttpConfig,
  req: HttpRequest,
  headers: Record<string, string>,
  body: string | FormData | null,
  ctx: ErrorContext,
): Promise<AttemptResult> {
  try {
    const res = await request(req.url, {
      method: req.method,
      headers,
      body,
      dispatcher: cfg.dispatcher,
      signal: req.signal,
      headersTimeout: cfg.headersTimeoutMs,
      bodyTimeout: cfg.bodyTimeoutMs,
    });
    const status = res.statusCode;
    const tooLarge = () => unexpectedResponse(`over ${cfg.maxResponseBytes} bytes`, status, ctx);
    const text = (await readCapped(res.body, cfg.maxResponseBytes, tooLarge)).toString("utf8");
    if (status >= 200 && status < 300) return { ok: true, json: parseJson(text, status, ctx) };
    const retryAfterSeconds = parseRetryAfter(res.headers["retry-after"]);
    const error = errorFromResponse({ status, bodyText: text, retryAfterSeconds }, ctx);
    const outcome: Outcome = { type: "status", status, retryAfterSeconds };
    return { ok: false, error, outcome, reason: `HTTP ${status} ${error.code}` };
  } catch (err) {
    if (req.signal?.aborted) throw abortReason(req.signal);
    if (err instanceof EvolinkError) throw err;
    const failure = classifyTransportError(err);
    const outcome: Outcome = {
      type: "transport",
      phase: failure.phase,
      transient: failure.transient,
    };
    return {
      ok: false,
      error: errorFromTransport(err, failure, ctx),
      outcome,
      reason: failure.code,
    };
  }
}

function parseJson(text: string, status: number, ctx: ErrorContext): unknown {
  if (text.trim() === "") return null;
  try {
    return JSON.parse(text);
  } catch {
    throw unexpectedResponse("a body that is not JSON", status, ctx);
  }
}
