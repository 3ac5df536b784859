/**
 * Turns an upstream error response into one typed error. Pure: no I/O, so every branch is
 * covered by unit tests. The stable `error.code` decides first (the docs tell integrations to
 * branch on it), the HTTP status only when the code is missing or new.
 */

import { ruleOf } from "../../errors/failures.js";
import { parseErrorEnvelope, scrubSecrets } from "./envelope.js";
import {
  AuthError,
  IdempotencyConflictError,
  InsufficientCreditsError,
  NotFoundError,
  RateLimitedError,
  RIVYA_LABEL,
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

export interface ErrorResponse {
  status: number;
  bodyText: string;
  retryAfterSeconds?: number | undefined;
  headerRequestId?: string | undefined;
}

/**
 * The table's next step. A rate limit states the upstream's Retry-After instead: the
 * boundary words the wait for agents, this message is for logs and callers of the client.
 */
function nextStep(error: RivyaError, retryAfterSeconds: number | undefined): string {
  if (error.kind === "rate_limited")
    return retryAfterSeconds === undefined ? "Slow down." : `Retry in ${retryAfterSeconds} s.`;
  // Only the bare class (a 1xx/3xx status) has no row worth quoting.
  if (error.kind === "unexpected") return "";
  return ruleOf(error.kind).hint({ provider: RIVYA_LABEL, code: error.code, ref: "" });
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
  const error = new Cls("", init);
  const message = `Rivya ${ctx.method} ${ctx.path}: ${upstream ?? "request failed"} (${facts.join(", ")}). ${nextStep(error, res.retryAfterSeconds)}`;
  error.message = scrubSecrets(message.trim(), ctx.apiKey);
  return error;
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
