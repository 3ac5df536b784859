/**
 * One error class per failure kind, so callers branch on the class (or `kind`)
 * instead of parsing messages. Messages never contain the API key: the client
 * builds them only from the upstream envelope and its own words.
 */

export type RivyaErrorKind =
  | "auth"
  | "scope_denied"
  | "validation"
  | "insufficient_credits"
  | "not_found"
  | "idempotency_conflict"
  | "rate_limited"
  | "upstream_unavailable"
  | "network"
  | "timeout"
  | "unexpected";

/** Optional fields also take `undefined` so call sites can pass through what they may not have. */
export interface RivyaErrorInit {
  code: string;
  status?: number | undefined;
  requestId?: string | undefined;
  retryAfterSeconds?: number | undefined;
  /** The idempotency key of the create this error interrupted, so the caller can retry safely. */
  idempotencyKey?: string | undefined;
  cause?: unknown;
}

export class RivyaError extends Error {
  readonly kind: RivyaErrorKind = "unexpected";
  readonly code: string;
  readonly status: number | undefined;
  readonly requestId: string | undefined;
  readonly retryAfterSeconds: number | undefined;
  readonly idempotencyKey: string | undefined;
  /**
   * Set on the error a retried call finally gave up with: an earlier attempt may have been
   * acted on even though this last one was refused (a dropped reply, then a 429).
   */
  earlierAttemptMayHaveActed = false;

  constructor(message: string, init: RivyaErrorInit) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = new.target.name;
    this.code = init.code;
    this.status = init.status;
    this.requestId = init.requestId;
    this.retryAfterSeconds = init.retryAfterSeconds;
    this.idempotencyKey = init.idempotencyKey;
  }

  /** Whether sending the same request again may succeed without changing it. */
  get retryable(): boolean {
    return false;
  }
}

/** 401: `api_key_missing`, `api_key_invalid`, `api_key_revoked`, `api_key_expired`. */
export class AuthError extends RivyaError {
  override readonly kind = "auth";
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
  override get retryable(): boolean {
    return true;
  }
}
/** 5xx, including 503 `public_api_disabled`. */
export class UpstreamUnavailableError extends RivyaError {
  override readonly kind = "upstream_unavailable";
  override get retryable(): boolean {
    return true;
  }
}
/** The connection failed or dropped before a response arrived. */
export class NetworkError extends RivyaError {
  override readonly kind = "network";
  override get retryable(): boolean {
    return true;
  }
}
/** Connect, headers or body timeout, or the retry budget ran out. */
export class TimeoutError extends RivyaError {
  override readonly kind = "timeout";
  override get retryable(): boolean {
    return true;
  }
}
