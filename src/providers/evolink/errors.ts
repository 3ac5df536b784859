/**
 * One error class per failure kind of the EvoLink API (evolink-api.md §9), so callers branch
 * on the class or `kind`. A create that failed also says whether it may have been processed:
 * EvoLink has no idempotency key, so resending an in-doubt create may charge twice.
 * Category, retryability and the next step come from the failure table in errors/; there,
 * `retryable` means a read may succeed if sent again, never that a create may be resent.
 */
import type { FailureKind, ProviderLabel } from "../../errors/failures.js";
import { ProviderError, type ProviderErrorInit } from "../../errors/provider-error.js";

/** The names EvoLink's error messages use. */
export const EVOLINK_LABEL: ProviderLabel = {
  id: "evolink",
  name: "EvoLink",
  keyEnv: "EVOLINK_API_KEY",
  keyShape: "a key from evolink.ai/dashboard/keys",
  keyPage: "the EvoLink dashboard (evolink.ai/dashboard/keys)",
};

export type EvolinkErrorKind = Extract<
  FailureKind,
  | "auth"
  | "api_key_missing"
  | "validation"
  | "insufficient_credits"
  | "model_access_denied"
  | "not_found"
  | "rate_limited"
  | "upstream_unavailable"
  | "network"
  | "timeout"
  | "unexpected"
>;

/** `certainly_not`: nothing was created. `in_doubt`: a task may exist and be charged. */
export type CreateOutcome = "certainly_not" | "in_doubt";

export interface EvolinkErrorInit extends ProviderErrorInit {
  /** The envelope's `code` as text (an integer code becomes its decimal string). */
  code: string;
  type?: string | undefined;
  param?: string | undefined;
  fallbackSuggestion?: string | undefined;
  /** Only on errors of a create call. */
  createOutcome?: CreateOutcome | undefined;
}

export class EvolinkError extends ProviderError {
  readonly provider = EVOLINK_LABEL;
  readonly kind: EvolinkErrorKind = "unexpected";
  readonly type: string | undefined;
  readonly param: string | undefined;
  readonly fallbackSuggestion: string | undefined;
  readonly createOutcome: CreateOutcome | undefined;

  constructor(message: string, init: EvolinkErrorInit) {
    super(message, init);
    this.type = init.type;
    this.param = init.param;
    this.fallbackSuggestion = init.fallbackSuggestion;
    this.createOutcome = init.createOutcome;
    // Without an idempotency key, an in-doubt create may have charged: never "created nothing".
    this.earlierAttemptMayHaveActed = init.createOutcome === "in_doubt";
  }
}

/** 401 `unauthorized`, or no key configured (`api_key_missing`, refused locally). */
export class EvolinkAuthError extends EvolinkError {
  override readonly kind = this.code === "api_key_missing" ? "api_key_missing" : "auth";
}
/** 400 `invalid_request` / `invalid_task_id`, and other 4xx request problems. */
export class EvolinkValidationError extends EvolinkError {
  override readonly kind = "validation";
}
/** 402 `insufficient_quota` (create) or `quota_exceeded` (task query). */
export class EvolinkInsufficientQuotaError extends EvolinkError {
  override readonly kind = "insufficient_credits";
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
}
/** 5xx. */
export class EvolinkUpstreamError extends EvolinkError {
  override readonly kind = "upstream_unavailable";
}
/** The connection failed or dropped before a whole response arrived. */
export class EvolinkNetworkError extends EvolinkError {
  override readonly kind = "network";
}
/** Connect, headers or body timeout. */
export class EvolinkTimeoutError extends EvolinkError {
  override readonly kind = "timeout";
}
