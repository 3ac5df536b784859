/**
 * The one table of failure kinds. Each kind says how an agent should see it (category), whether
 * sending the same thing again may work (retryable), and what to do next (hint). Provider error
 * classes, task failures and the MCP error boundary all read it, so two providers' errors of the
 * same kind are reported the same way.
 */

/** Public: agents read these in every error result. Do not rename. */
export type FailureCategory =
  | "invalid_request"
  | "insufficient_credits"
  | "rate_limited"
  | "content_rejected"
  | "upstream_unavailable"
  | "generation_failed"
  | "not_found"
  | "auth"
  | "cancelled"
  | "confirmation_required"
  | "in_progress"
  | "internal";

/** What a provider's messages may name; each provider folder declares its own. */
export interface ProviderLabel {
  /** The registry id, e.g. `rivya`. */
  id: string;
  /** As shown in sentences, e.g. `Rivya`. */
  name: string;
  /** The environment variable that holds the key. */
  keyEnv: string;
  /** What a key looks like, e.g. `rvya_sk_…`. */
  keyShape: string;
  /** Where a person creates or changes a key. */
  keyPage: string;
}

/** The facts a hint may use. `ref` is "" or ` (Rivya request req_…)`. */
export interface HintFacts {
  provider: ProviderLabel;
  code: string;
  ref: string;
  retryAfterSeconds?: number | undefined;
}

export interface FailureRule {
  category: FailureCategory;
  retryable: boolean;
  /** The next step, as one or more sentences ending in a full stop. */
  hint: (f: HintFacts) => string;
  /**
   * What happened, in the server's own words, for a provider error. Without it the boundary
   * shows the provider's message, which names the field or id at fault and ends with the hint.
   */
  says?: (f: HintFacts) => string;
}

const unreachable: FailureRule = {
  category: "upstream_unavailable",
  retryable: true,
  says: (f) =>
    `${f.provider.name} could not be reached or answered with an error (${f.code})${f.ref}`,
  hint: () => "Retry in a little while.",
};

const refundedThen = (next: string) => () => `The credits were refunded; ${next}`;

export const FAILURES = {
  // Refusals of a call by the provider.
  auth: {
    category: "auth",
    retryable: false,
    says: (f) => `${f.provider.name} refused the API key (${f.code})${f.ref}`,
    hint: (f) => `Check ${f.provider.keyEnv}, or create a new key in ${f.provider.keyPage}.`,
  },
  api_key_missing: {
    category: "auth",
    retryable: false,
    says: (f) =>
      `${f.provider.keyEnv} is not set on this server, so it cannot call ${f.provider.name} (list_models works without it)`,
    hint: (f) =>
      `Set ${f.provider.keyEnv} (${f.provider.keyShape}) in the server's environment or the host's MCP config and restart the server, or try --demo.`,
  },
  scope_denied: {
    category: "auth",
    retryable: false,
    says: (f) => `The API key lacks the scope for this call${f.ref}`,
    hint: (f) => `Create a new key with all v1 scopes in ${f.provider.keyPage}.`,
  },
  model_access_denied: {
    category: "auth",
    retryable: false,
    says: (f) => `The ${f.provider.name} API key may not use this model or task${f.ref}`,
    hint: (f) =>
      `Allow the model for this key in ${f.provider.keyPage}, or choose another model (list_models).`,
  },
  validation: {
    category: "invalid_request",
    retryable: false,
    hint: () => "Fix the request; sending it unchanged will fail again.",
  },
  idempotency_conflict: {
    category: "invalid_request",
    retryable: false,
    hint: () => "This Idempotency-Key was used for a different request; use a new key.",
  },
  insufficient_credits: {
    category: "insufficient_credits",
    retryable: false,
    says: (f) => `Not enough ${f.provider.name} credits for this call${f.ref}`,
    hint: () => "Top up the account, or choose a cheaper model (list_models shows costs).",
  },
  not_found: {
    category: "not_found",
    retryable: false,
    hint: () => "Check the id; another account's resources are reported as not found.",
  },
  rate_limited: {
    category: "rate_limited",
    retryable: true,
    says: (f) => `${f.provider.name} is rate limiting this key${f.ref}`,
    hint: (f) => `Wait ${f.retryAfterSeconds ?? 10} s, then retry.`,
  },
  upstream_unavailable: unreachable,
  network: unreachable,
  timeout: unreachable,
  /** A reply that breaks the contract (a 2xx without the promised body). */
  unexpected: unreachable,

  // Failures of a task that was accepted (its `error.code`, normalised).
  content_rejected: {
    category: "content_rejected",
    retryable: false,
    hint: () => "Rephrase the prompt or change the reference before trying again.",
  },
  invalid_parameters: {
    category: "invalid_request",
    retryable: false,
    hint: refundedThen(
      "a setting, the prompt or a reference broke one of the model's rules (length, size, format or duration). Fix it (list_models shows the rules) before submitting again.",
    ),
  },
  image_processing_error: {
    category: "invalid_request",
    retryable: false,
    hint: refundedThen(
      "the reference image could not be read (unreachable, HEIC/AVIF or corrupt). Upload a JPG or PNG with upload_reference and submit again.",
    ),
  },
  generation_failed: {
    category: "generation_failed",
    retryable: true,
    hint: refundedThen("the same request may succeed if submitted again."),
  },
  generation_timeout: {
    category: "generation_failed",
    retryable: true,
    hint: refundedThen(
      "the generation ran out of time. Submit the same request again later, or a shorter one.",
    ),
  },
  quota_exceeded: {
    category: "rate_limited",
    retryable: true,
    hint: refundedThen(
      "the provider refused more work for now (too many tasks at once, or a usage quota). Wait for running tasks to finish, then submit again.",
    ),
  },

  // Outcomes the server decides itself.
  cancelled: {
    category: "cancelled",
    retryable: true,
    hint: () => "Call again if the result is still wanted.",
  },
  confirmation_required: {
    category: "confirmation_required",
    retryable: true,
    hint: () => "Ask the person to agree to the cost, then call again as the message says.",
  },
  in_progress: {
    category: "in_progress",
    retryable: true,
    hint: () => "Call again in a moment with the same arguments.",
  },
  internal: {
    category: "internal",
    retryable: false,
    hint: () => "The details are in the server's log; retrying is unlikely to help.",
  },
} satisfies Record<string, FailureRule>;

export type FailureKind = keyof typeof FAILURES;

export function ruleOf(kind: FailureKind): FailureRule {
  return FAILURES[kind];
}
