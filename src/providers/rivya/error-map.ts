/**
 * Turns an upstream error response into one typed error. Pure: no I/O, so every branch is
 * covered by unit tests. The stable `error.code` decides first (the docs tell integrations to
 * branch on it), the HTTP status only when the code is missing or new.
 */

import { parseErrorEnvelope, scrubSecrets } from "./envelope.js";
import {
  AuthError,
  IdempotencyConflictError,
  InsufficientCreditsError,
  NotFoundError,
  RateLimitedError,
  RivyaError,
  type RivyaErrorInit,
  ScopeDeniedError,
  UpstreamUnavailableError,
  ValidationError,
} from "./errors.js";

type ErrorClass = new (message: string, init: RivyaErrorInit) => RivyaError;

/** What each call site knows about the request, for messages and for `idempotencyKey`. */
export interface ErrorContext {
  method: string;
  path: string;
  apiKey?: string | undefined;
  idempotencyKey?: string | undefined;
}

const BY_CODE: Record<string, ErrorClass> = {
  api_key_missing: AuthError,
  api_key_invalid: AuthError,
  api_key_revoked: AuthError,
  api_key_expired: AuthError,
  api_scope_denied: ScopeDeniedError,
  validation_failed: ValidationError,
  webhook_url_rejected: ValidationError,
  chat_model_not_supported: ValidationError,
  chat_attachment_not_supported: ValidationError,
  chat_session_conflict: ValidationError,
  insufficient_credits: InsufficientCreditsError,
  not_found: NotFoundError,
  idempotency_conflict: IdempotencyConflictError,
  rate_limited: RateLimitedError,
  public_api_disabled: UpstreamUnavailableError,
};

function byStatus(status: number): [ErrorClass, string] {
  if (status === 401) return [AuthError, "unauthorized"];
  if (status === 402) return [InsufficientCreditsError, "insufficient_credits"];
  if (status === 403) return [ScopeDeniedError, "api_scope_denied"];
  if (status === 404) return [NotFoundError, "not_found"];
  if (status === 409) return [IdempotencyConflictError, "idempotency_conflict"];
  if (status === 429) return [RateLimitedError, "rate_limited"];
  if (status >= 500) return [UpstreamUnavailableError, "upstream_unavailable"];
  if (status >= 400) return [ValidationError, "validation_failed"];
  return [RivyaError, "unexpected_response"];
}

const HINTS = new Map<ErrorClass, string>([
  [AuthError, "Check that the Rivya API key is set, current and not revoked."],
  [ScopeDeniedError, "The API key lacks the scope this call needs; create a key that has it."],
  [ValidationError, "Fix the request; sending it unchanged will fail again."],
  [InsufficientCreditsError, "Top up credits in Rivya or pick a cheaper model or settings."],
  [NotFoundError, "Check the id; another account's resources are reported as not found."],
  [
    IdempotencyConflictError,
    "This Idempotency-Key was used for a different request; use a new key.",
  ],
  [UpstreamUnavailableError, "Rivya is temporarily unavailable; try again later."],
]);

export interface ErrorResponse {
  status: number;
  bodyText: string;
  retryAfterSeconds?: number | undefined;
  headerRequestId?: string | undefined;
}

export function errorFromResponse(res: ErrorResponse, ctx: ErrorContext): RivyaError {
  const env = parseErrorEnvelope(res.bodyText);
  const [statusClass, statusCode] = byStatus(res.status);
  // The code and id are echoed into tool results: scrubbed like any upstream text, kept short.
  const shown = (text: string | undefined) =>
    text === undefined ? undefined : scrubSecrets(text, ctx.apiKey).slice(0, 120);
  const code = shown(env.code) ?? statusCode;
  const Cls = (env.code ? BY_CODE[env.code] : undefined) ?? statusClass;
  const requestId = shown(env.requestId ?? res.headerRequestId);
  const init: RivyaErrorInit = {
    code,
    status: res.status,
    requestId,
    retryAfterSeconds: res.retryAfterSeconds,
    idempotencyKey: ctx.idempotencyKey,
  };

  const upstream = env.message ? scrubSecrets(env.message, ctx.apiKey).slice(0, 500) : undefined;
  const facts = [`HTTP ${res.status}`, code, requestId && `request ${requestId}`].filter(Boolean);
  let hint = HINTS.get(Cls) ?? "";
  if (Cls === RateLimitedError) {
    hint =
      res.retryAfterSeconds === undefined ? "Slow down." : `Retry in ${res.retryAfterSeconds} s.`;
  }
  const message = `Rivya ${ctx.method} ${ctx.path}: ${upstream ?? "request failed"} (${facts.join(", ")}). ${hint}`;
  return new Cls(scrubSecrets(message.trim(), ctx.apiKey), init);
}

/** A 2xx whose body is not what the contract promises: fail clearly now, not later. */
export function unexpectedResponse(what: string, status: number, ctx: ErrorContext): RivyaError {
  const message = `Rivya ${ctx.method} ${ctx.path} answered HTTP ${status} with ${what}.`;
  return new RivyaError(scrubSecrets(message, ctx.apiKey), {
    code: "unexpected_response",
    status,
    idempotencyKey: ctx.idempotencyKey,
  });
}
