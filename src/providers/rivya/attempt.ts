/**
 * A single HTTP attempt: send, read the (size-capped) body, and describe what happened as
 * either a parsed 2xx or a typed error plus the facts the retry policy decides on.
 */
import { type Dispatcher, type FormData, request } from "undici";
import { readCapped } from "../../net/read-capped.js";
import { abortReason } from "./abort.js";
import { type ErrorContext, errorFromResponse, unexpectedResponse } from "./error-map.js";
import { RivyaError } from "./errors.js";
import { type AttemptOutcome, parseRetryAfter } from "./retry.js";
import { classifyTransportError, errorFromTransport } from "./transport-errors.js";

export interface AttemptInput {
  url: string;
  method: "GET" | "POST";
  headers: Record<string, string>;
  body: string | FormData | null;
  dispatcher: Dispatcher;
  signal: AbortSignal | undefined;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  maxResponseBytes: number;
}

export type AttemptResult =
  | { ok: true; status: number; json: unknown }
  | { ok: false; error: RivyaError; outcome: AttemptOutcome; reason: string };

/** Resolves with the outcome; rejects only for aborts and non-retryable surprises. */
export async function attempt(
  a: AttemptInput,
  ctx: ErrorContext & { unsafe: boolean },
): Promise<AttemptResult> {
  try {
    const res = await request(a.url, {
      method: a.method,
      headers: a.headers,
      body: a.body,
      dispatcher: a.dispatcher,
      signal: a.signal,
      headersTimeout: a.headersTimeoutMs,
      bodyTimeout: a.bodyTimeoutMs,
    });
    const status = res.statusCode;
    const text = await readText(res.body, a.maxResponseBytes, ctx);
    if (status >= 200 && status < 300)
      return { ok: true, status, json: parseJson(text, status, ctx) };
    const retryAfterSeconds = parseRetryAfter(res.headers["retry-after"]);
    const rid = res.headers["x-request-id"];
    const headerRequestId = typeof rid === "string" ? rid : undefined;
    const error = errorFromResponse(
      { status, bodyText: text, retryAfterSeconds, headerRequestId },
      ctx,
    );
    const outcome: AttemptOutcome = { type: "status", status, retryAfterSeconds };
    return { ok: false, error, outcome, reason: `HTTP ${status} ${error.code}` };
  } catch (err) {
    if (a.signal?.aborted) throw abortReason(a.signal);
    if (err instanceof RivyaError) throw err;
    const failure = classifyTransportError(err);
    const outcome: AttemptOutcome = {
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

async function readText(
  body: Dispatcher.ResponseData["body"],
  limit: number,
  ctx: ErrorContext,
): Promise<string> {
  const tooLarge = () =>
    new RivyaError(`Rivya ${ctx.method} ${ctx.path}: the response exceeded ${limit} bytes.`, {
      code: "response_too_large",
      idempotencyKey: ctx.idempotencyKey,
    });
  return (await readCapped(body, limit, tooLarge)).toString("utf8");
}

function parseJson(text: string, status: number, ctx: ErrorContext): unknown {
  if (text.trim() === "") return null;
  try {
    return JSON.parse(text);
  } catch {
    throw unexpectedResponse("a body that is not JSON", status, ctx);
  }
}
