/**
 * The base of every provider's error classes. The boundary classifies any of them through the
 * failure table by `kind`, so it never needs to know which provider failed.
 */
import { type FailureKind, type ProviderLabel, ruleOf } from "./failures.js";

/** Optional fields also take `undefined` so call sites can pass through what they may not have. */
export interface ProviderErrorInit {
  /** The provider's own code (scrubbed, short), or one the client chose for a local failure. */
  code: string;
  /** The HTTP status, when a response arrived. */
  status?: number | undefined;
  /** The provider's request id, for support. */
  requestId?: string | undefined;
  retryAfterSeconds?: number | undefined;
  cause?: unknown;
}

export abstract class ProviderError extends Error {
  /** Which provider failed, and the names its messages use. */
  abstract readonly provider: ProviderLabel;
  /** The row of the failure table; each subclass sets it. */
  abstract readonly kind: FailureKind;
  readonly code: string;
  readonly status: number | undefined;
  readonly requestId: string | undefined;
  readonly retryAfterSeconds: number | undefined;
  /**
   * Set when an attempt before this error (or, without an idempotency key, this very attempt)
   * may have been acted on: the call then did not certainly do nothing.
   */
  earlierAttemptMayHaveActed = false;
  /**
   * Set when this attempt failed before the request left: connection refused, DNS, TLS or a
   * connect timeout. With no earlier attempt that may have acted, nothing was sent at all.
   */
  neverSent = false;

  constructor(message: string, init: ProviderErrorInit) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = new.target.name;
    this.code = init.code;
    this.status = init.status;
    this.requestId = init.requestId;
    this.retryAfterSeconds = init.retryAfterSeconds;
  }

  /** Whether sending the same request again may succeed without changing it. */
  get retryable(): boolean {
    return ruleOf(this.kind).retryable;
  }
}
