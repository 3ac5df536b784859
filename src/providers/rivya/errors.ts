/**
 * One error class per failure kind, so callers branch on the class (or `kind`)
 * instead of parsing messages. Messages never contain the API key: the client
 * builds them only from the upstream envelope and its own words. Category, retryability
 * and the next step come from the failure table in errors/.
 */
import type { FailureKind, ProviderLabel } from "../../errors/failures.js";
import { ProviderError, type ProviderErrorInit } from "../../errors/provider-error.js";

/** The names Rivya's error messages use. */
export const RIVYA_LABEL: ProviderLabel = {
  id: "rivya",
  name: "Rivya",
  keyEnv: "RIVYA_API_KEY",
  keyShape: "rvya_sk_…",
  keyPage: "Rivya Settings",
};

export type RivyaErrorKind = Extract<
  FailureKind,
  | "auth"
  | "api_key_missing"
  | "scope_denied"
  | "validation"
  | "insufficient_credits"
  | "not_found"
  | "idempotency_conflict"
  | "rate_limited"
  | "upstream_unavailable"
  | "network"
  | "timeout"
  | "unexpected"
>;

export interface RivyaErrorInit extends ProviderErrorInit {
  /** The idempotency key of the create this error interrupted, so the caller can retry safely. */
  idempotencyKey?: string | undefined;
}

export class RivyaError extends ProviderError {
  readonly provider = RIVYA_LABEL;
  readonly kind: RivyaErrorKind = "unexpected";
  readonly idempotencyKey: string | undefined;

  constructor(message: string, init: RivyaErrorInit) {
    super(message, init);
    this.idempotencyKey = init.idempotencyKey;
  }
}

/** 401: `api_key_missing`, `api_key_invalid`, `api_key_revoked`, `api_key_expired`. */
export class AuthError extends RivyaError {
  // A missing key needs a different next step (set it) than a refused one (check or replace it).
  override readonly kind = this.code === "api_key_missing" ? "api_key_missing" : "auth";
}
/** 403 `api_scope_denied`. */
export class ScopeDeniedError extends RivyaError {
  override readonly kind = "scope_denied";
}
/** 400 `validation_failed` (and other 4xx request problems). */
export class ValidationError extends RivyaError {
  override readonly kind = "validation";
}
/** `insufficient_credits` (402 in the simulator). */
export class InsufficientCreditsError extends RivyaError {
  override readonly kind = "insufficient_credits";
}
/** 404 `not_found`: missing, or owned by another account. */
export class NotFoundError extends RivyaError {
  override readonly kind = "not_found";
}
/** 409 `idempotency_conflict`: the key was used before with a different body. */
export class IdempotencyConflictError extends RivyaError {
  override readonly kind = "idempotency_conflict";
}
/** 429 `rate_limited`. */
export class RateLimitedError extends RivyaError {
  override readonly kind = "rate_limited";
}
/** 5xx, including 503 `public_api_disabled`. */
export class UpstreamUnavailableError extends RivyaError {
  override readonly kind = "upstream_unavailable";
}
/** The connection failed or dropped before a response arrived. */
export class NetworkError extends RivyaError {
  override readonly kind = "network";
}
/** Connect, headers or body timeout, or the retry budget ran out. */
export class TimeoutError extends RivyaError {
  override readonly kind = "timeout";
}
