/**
 * Rivya's side of the shared HTTP core (net/http-call.ts): its headers, its multipart body and
 * how its failures are worded. This module, and with it undici, is loaded by `client.ts` on
 * the first call only: a stdio server is spawned many times a day and must answer
 * `initialize` fast, before any tool talks to Rivya.
 */
import { Agent, type Dispatcher, FormData } from "undici";
import type { Sleep } from "../../net/abort.js";
import {
  type HttpErrors,
  type HttpResponse,
  type RetryInfo,
  type StopReason,
  sendWithRetry,
} from "../../net/http-call.js";
import type { RetryPolicy } from "../../net/retry.js";
import type { TransportFailure } from "../../net/transport-failure.js";
import { scrubSecrets } from "./envelope.js";
import { type ErrorContext, errorFromResponse, unexpectedResponse } from "./error-map.js";
import { NetworkError, RivyaError, type RivyaErrorInit, TimeoutError } from "./errors.js";

export interface TransportSettings {
  /** Normalised base, e.g. `https://rivya.ai/api/v1` (no trailing slash). */
  apiBase: string;
  apiKey: string | undefined;
  userAgent: string;
  policy: RetryPolicy;
  /** Injected by tests and benchmarks, which then own (and close) it. */
  dispatcher: Dispatcher | undefined;
  connectMs: number;
  headersMs: number;
  bodyMs: number;
  sleep: Sleep;
  onRetry: ((info: RetryInfo) => void) | undefined;
  maxResponseBytes: number;
}

export interface Multipart {
  /** Sent in this order, before the file, so a server can refuse early. */
  fields: [string, string][];
  file: Blob;
  filename: string;
}

export interface HttpRequest {
  method: "GET" | "POST";
  /** Under `/api/v1`, path parameters already encoded. */
  path: string;
  auth: boolean;
  json?: unknown;
  multipart?: Multipart;
  idempotencyKey?: string | undefined;
  signal?: AbortSignal | undefined;
}

export interface Transport {
  send(req: HttpRequest): Promise<HttpResponse>;
  /** Closes the client's own connection pool (not an injected dispatcher). */
  close(): Promise<void>;
}

const GAVE_UP: Record<StopReason, string> = {
  not_retryable: "",
  attempts: "Gave up after {n} attempts.",
  budget: "Gave up after {n} attempts: the retry time budget ran out.",
  retry_after_exceeds_budget: "Rivya asked to wait longer than the remaining retry time budget.",
};

export function openTransport(t: TransportSettings): Transport {
  // Headers and body timeouts go with each request, so they also apply to a dispatcher
  // passed in; only the connect timeout belongs to the pool.
  const ownAgent = t.dispatcher ? undefined : new Agent({ connect: { timeout: t.connectMs } });
  const settings = {
    dispatcher: t.dispatcher ?? (ownAgent as Agent),
    headersTimeoutMs: t.headersMs,
    bodyTimeoutMs: t.bodyMs,
    maxResponseBytes: t.maxResponseBytes,
    sleep: t.sleep,
    onRetry: t.onRetry,
  };
  return {
    send: (req) => {
      const headers: Record<string, string> = {
        accept: "application/json",
        "user-agent": t.userAgent,
      };
      if (req.auth && t.apiKey) headers.authorization = `Bearer ${t.apiKey}`;
      if (req.idempotencyKey) headers["idempotency-key"] = req.idempotencyKey;
      if (req.json !== undefined) headers["content-type"] = "application/json";
      const jsonBody = req.json === undefined ? null : JSON.stringify(req.json);
      const { multipart } = req;
      // A POST without an idempotency key may only be resent when it was certainly not processed.
      const unsafe = req.method !== "GET" && !req.idempotencyKey;
      const ctx = {
        method: req.method,
        path: `/api/v1${req.path}`,
        apiKey: t.apiKey,
        idempotencyKey: req.idempotencyKey,
        unsafe,
      };
      return sendWithRetry(settings, {
        url: `${t.apiBase}${req.path}`,
        method: req.method,
        path: ctx.path,
        headers,
        body: () => (multipart ? formOf(multipart) : jsonBody),
        safety: unsafe ? "unsafe" : "idempotent",
        policy: t.policy,
        signal: req.signal,
        errors: rivyaErrors(ctx, t.maxResponseBytes),
      });
    },
    close: async () => {
      await ownAgent?.close();
    },
  };
}

function formOf(m: Multipart): FormData {
  const form = new FormData();
  for (const [name, value] of m.fields) form.append(name, value);
  form.append("file", m.file, m.filename);
  return form;
}

function rivyaErrors(
  ctx: ErrorContext & { unsafe: boolean },
  limit: number,
): HttpErrors<RivyaError> {
  return {
    own: (err): err is RivyaError => err instanceof RivyaError,
    tooLarge: () =>
      new RivyaError(`Rivya ${ctx.method} ${ctx.path}: the response exceeded ${limit} bytes.`, {
        code: "response_too_large",
        idempotencyKey: ctx.idempotencyKey,
      }),
    notJson: (status) => unexpectedResponse("a body that is not JSON", status, ctx),
    fromStatus: ({ status, bodyText, retryAfterSeconds, headers }) => {
      const rid = headers["x-request-id"];
      const headerRequestId = typeof rid === "string" ? rid : undefined;
      return errorFromResponse({ status, bodyText, retryAfterSeconds, headerRequestId }, ctx);
    },
    fromTransport: (err, failure) => errorFromTransport(err, failure, ctx),
    gaveUp: (error, why, n, earlierMayHaveActed) => {
      const note = GAVE_UP[why].replace("{n}", String(n));
      if (note && (n > 1 || why === "retry_after_exceeds_budget")) {
        error.message = `${error.message} ${note}`;
      }
      error.earlierAttemptMayHaveActed = earlierMayHaveActed;
    },
  };
}

function errorFromTransport(
  err: unknown,
  failure: TransportFailure,
  ctx: ErrorContext & { unsafe: boolean },
): RivyaError {
  const init: RivyaErrorInit = {
    code: failure.timeout ? "timeout" : "network_error",
    idempotencyKey: ctx.idempotencyKey,
    cause: err,
  };
  const detail = err instanceof Error && err.message ? `: ${err.message}` : "";
  const what = failure.timeout ? "timed out" : "could not complete the request";
  let hint = "Check the network and the Rivya base URL, then try again.";
  if (ctx.idempotencyKey) {
    hint = `Retrying with the same idempotency key (${ctx.idempotencyKey}) is safe and will not charge twice.`;
  } else if (ctx.unsafe && failure.phase === "sent") {
    hint = "The server may have received the request; it was not resent automatically.";
  }
  const message = `Rivya ${ctx.method} ${ctx.path} ${what} (${failure.code}${detail}). ${hint}`;
  const Cls = failure.timeout ? TimeoutError : NetworkError;
  const error = new Cls(scrubSecrets(message, ctx.apiKey), init);
  error.neverSent = failure.phase === "connect";
  return error;
}
