/**
 * One error class per failure kind of the EvoLink API (evolink-api.md §9), so callers branch
 * on the class or `kind`. A create that failed also says whether it may have been processed:
 * EvoLink has no idempotency key, so resending an in-doubt create may charge twice.
 */

export type EvolinkErrorKind =
  | "auth"
  | "validation"
  | "insufficient_quota"
  | "model_access_denied"
  | "not_found"
  | "rate_limited"
  | "upstream_unavailable"
  | "network"
  | "timeout"
  | "unexpected";

/** `certainly_not`: nothing was created. `in_doubt`: a task may exist and be charged. */
export type CreateOutcome = "certainly_not" | "in_doubt";

export interface EvolinkErrorInit {
  /** The envelope's `code` as text (an integer code becomes its decimal string). */
  code: string;
  status?: number | undefined;
  type?: string | undefined;
  param?: string | undefined;
  fallbackSuggestion?: string | undefined;
  retryAfterSeconds?: number | undefined;
  /** Only on errors of a create call. */
  createOutcome?: CreateOutcome | undefined;
  cause?: unknown;
}

export class EvolinkError extends Error {
  readonly kind: EvolinkErrorKind = "unexpected";
  readonly code: string;
  readonly status: number | undefined;
  readonly type: string | undefined;
  readonly param: string | undefined;
  readonly fallbackSuggestion: string | undefined;
  readonly retryAfterSeconds: number | undefined;
  readonly createOutcome: CreateOutcome | undefined;

  constructor(message: string, init: EvolinkErrorInit) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = new.target.name;
    this.code = init.code;
    this.status = init.status;
    this.type = init.type;
    this.param = init.param;
    this.fallbackSuggestion = init.fallbackSuggestion;
    this.retryAfterSeconds = init.retryAfterSeconds;
    this.createOutcome = init.createOutcome;
  }

  /** Whether the same read may succeed if sent again (never a licence to resend a create). */
  get retryable(): boolean {
    return false;
  }
}

/** 401 `unauthorized`. */
export class EvolinkAuthError extends EvolinkError {
  override readonly kind = "auth";
}
/** 400 `invalid_request` / `invalid_task_id`, and other 4xx request problems. */
export class EvolinkValidationError extends EvolinkError {
  override readonly kind = "validation";
}
/** 402 `insufficient_quota` (create) or `quota_exceeded` (task query). */
export class EvolinkInsufficientQuotaError extends EvolinkError {
  override readonly kind = "insufficient_quota";
}
/** 403 `model_access_denied` or `permission_denied`: the key may not use this model or task. */
export class EvolinkModelAccessError extends EvolinkError {
  override readonly kind = "model_access_denied";
}
/** 404 `task_not_found`. */
export class EvolinkNotFoundError extends EvolinkError {
  override readonly kind = "not_found";
}
/** 429 `rate_limit_exceeded`. */
export class EvolinkRateLimitedError extends EvolinkError {
  override readonly kind = "rate_limited";
  override get retryable(): boolean {
    return true;
  }
}
/** 5xx. */
export class EvolinkUpstreamError extends EvolinkError {
  override readonly kind = "upstream_unavailable";
  override get retryable(): boolean {
    return true;
  }
}
/** The connection failed or dropped before a whole response arrived. */
export class EvolinkNetworkError extends EvolinkError {
  override readonly kind = "network";
  override get retryable(): boolean {
    return true;
  }
}
/** Connect, headers or body timeout. */
export class EvolinkTimeoutError extends EvolinkError {
  override readonly kind = "timeout";
  override get retryable(): boolean {
    return true;
  }
}
