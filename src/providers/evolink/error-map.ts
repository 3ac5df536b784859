/**
 * Turns an EvoLink error response or a transport failure into one typed error. Pure, so each
 * branch is unit-testable. The business `code` decides first, the HTTP status when the code is
 * missing, numeric (old envelope) or new.
 */
import { type HintFacts, ruleOf } from "../../errors/failures.js";
import { parseErrorEnvelope, scrubSecrets } from "./envelope.js";
import {
  type CreateOutcome,
  EvolinkAuthError,
  EvolinkError,
  type EvolinkErrorInit,
  EvolinkInsufficientQuotaError,
  EvolinkModelAccessError,
  EvolinkNetworkError,
  EvolinkNotFoundError,
  EvolinkRateLimitedError,
  EvolinkTimeoutError,
  EvolinkUpstreamError,
  EvolinkValidationError,
} from "./errors.js";

type ErrorClass = new (message: string, init: EvolinkErrorInit) => EvolinkError;

export interface ErrorContext {
  method: string;
  /** The URL path, for messages (never the query, never the host's credentials). */
  path: string;
  apiKey: string | undefined;
  /** Set on create calls: errors then say whether the task may exist. */
  isCreate: boolean;
}

const BY_CODE: Record<string, ErrorClass> = {
  unauthorized: EvolinkAuthError,
  invalid_request: EvolinkValidationError,
  invalid_task_id: EvolinkValidationError,
  insufficient_quota: EvolinkInsufficientQuotaError,
  quota_exceeded: EvolinkInsufficientQuotaError,
  model_access_denied: EvolinkModelAccessError,
  permission_denied: EvolinkModelAccessError,
  task_not_found: EvolinkNotFoundError,
  rate_limit_exceeded: EvolinkRateLimitedError,
  internal_error: EvolinkUpstreamError,
};

/** The Files API's numeric business codes (EvoLink's own client, not the docs: §12). */
const FILES_CODES: Record<string, ErrorClass> = {
  "40001": EvolinkValidationError, // file too large
  "40002": EvolinkValidationError, // file type not allowed
  "40003": EvolinkInsufficientQuotaError, // file quota used up
  "40004": EvolinkValidationError, // URL download failed
  "50001": EvolinkUpstreamError, // storage error
};

/** Own keys only: an upstream code such as `constructor` must not find Object's. */
const lookup = (table: Record<string, ErrorClass>, code: string) =>
  Object.hasOwn(table, code) ? table[code] : undefined;

export function filesErrorClass(code: string): ErrorClass | undefined {
  return lookup(FILES_CODES, code);
}

function byStatus(status: number): ErrorClass {
  if (status === 401) return EvolinkAuthError;
  if (status === 402) return EvolinkInsufficientQuotaError;
  if (status === 403) return EvolinkModelAccessError;
  if (status === 404) return EvolinkNotFoundError;
  if (status === 429) return EvolinkRateLimitedError;
  if (status >= 500) return EvolinkUpstreamError;
  if (status >= 400) return EvolinkValidationError;
  return EvolinkError;
}

/**
 * A 4xx is a refusal: nothing was created. A 5xx may come after the task was stored (a proxy
 * or a crash after the insert), so the create is in doubt.
 */
function statusOutcome(status: number): CreateOutcome {
  return status >= 500 ? "in_doubt" : "certainly_not";
}

const OUTCOME_HINT: Record<CreateOutcome, string> = {
  certainly_not: "The task was certainly not created; nothing was charged.",
  in_doubt:
    "The task may have been created and charged. EvoLink has no idempotency key: check before sending it again, a resend may charge twice.",
};

export function errorFromResponse(
  r: { status: number; bodyText: string; retryAfterSeconds: number | undefined },
  ctx: ErrorContext,
): EvolinkError {
  const env = parseErrorEnvelope(r.bodyText);
  const code = env.code ?? "";
  // An integer code (old envelope) repeats the status; a Files API code names the problem.
  const Cls = lookup(BY_CODE, code) ?? lookup(FILES_CODES, code) ?? byStatus(r.status);
  const createOutcome = ctx.isCreate ? statusOutcome(r.status) : undefined;
  const error = new Cls("", {
    code: env.code ?? `http_${r.status}`,
    status: r.status,
    type: env.type,
    param: env.param,
    fallbackSuggestion: env.fallbackSuggestion && scrubSecrets(env.fallbackSuggestion, ctx.apiKey),
    retryAfterSeconds: r.retryAfterSeconds,
    createOutcome,
  });
  const what = [
    `EvoLink ${ctx.method} ${ctx.path} failed: HTTP ${r.status}`,
    env.code ? ` ${env.code}` : "",
    env.message ? `: ${env.message}` : "",
    env.param ? ` (field: ${env.param})` : "",
  ].join("");
  const parts = [
    what.endsWith(".") ? what : `${what}.`,
    error.kind === "unexpected" ? "" : ` ${ruleOf(error.kind).hint(hintFacts(error))}`,
    env.fallbackSuggestion ? ` Suggestion: ${env.fallbackSuggestion}.` : "",
    createOutcome ? ` ${OUTCOME_HINT[createOutcome]}` : "",
  ];
  error.message = scrubSecrets(parts.join(""), ctx.apiKey);
  return error;
}

/** The facts the failure table's hint may use; EvoLink's envelope carries no request id. */
function hintFacts(error: EvolinkError): HintFacts {
  const { provider, code, retryAfterSeconds } = error;
  return { provider, code, ref: "", retryAfterSeconds };
}

export function errorFromTransport(
  err: unknown,
  failure: { code: string; phase: "connect" | "sent"; timeout: boolean },
  ctx: ErrorContext,
): EvolinkError {
  const createOutcome: CreateOutcome | undefined = ctx.isCreate
    ? failure.phase === "connect"
      ? "certainly_not"
      : "in_doubt"
    : undefined;
  const detail = err instanceof Error && err.message ? `: ${err.message}` : "";
  const what = failure.timeout ? "timed out" : "could not complete the request";
  const hint = createOutcome
    ? OUTCOME_HINT[createOutcome]
    : "Check the network and the EvoLink base URL, then try again.";
  const message = `EvoLink ${ctx.method} ${ctx.path} ${what} (${failure.code}${detail}). ${hint}`;
  const Cls = failure.timeout ? EvolinkTimeoutError : EvolinkNetworkError;
  const code = failure.timeout ? "timeout" : "network_error";
  return new Cls(scrubSecrets(message, ctx.apiKey), { code, createOutcome, cause: err });
}

export function unexpectedResponse(what: string, status: number, ctx: ErrorContext): EvolinkError {
  const message = `EvoLink ${ctx.method} ${ctx.path} returned ${what} (HTTP ${status}).`;
  return new EvolinkError(scrubSecrets(message, ctx.apiKey), {
    code: "unexpected_response",
    status,
    // A 2xx create whose body cannot be read did create a task we cannot name.
    createOutcome: ctx.isCreate ? "in_doubt" : undefined,
  });
}
