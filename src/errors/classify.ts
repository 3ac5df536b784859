/**
 * Classifies whatever the server throws below the MCP boundary: its own ToolErrors, any
 * provider's errors (through the failure table), cancellations, and failed tasks.
 */
import { type FailureKind, type HintFacts, type ProviderLabel, ruleOf } from "./failures.js";
import { ProviderError } from "./provider-error.js";
import type { Classified } from "./tool-error.js";
import { ToolError } from "./tool-error.js";

function fromKind(kind: FailureKind, message: string, retryAfterSeconds?: number): Classified {
  const { category, retryable } = ruleOf(kind);
  const after = retryAfterSeconds === undefined ? {} : { retryAfterSeconds };
  return { category, retryable, ...after, message };
}

/** One sentence for a provider error: the table's words, or the provider's message plus its ref. */
function classifyProvider(err: ProviderError): Classified {
  const rule = ruleOf(err.kind);
  const f: HintFacts = {
    provider: err.provider,
    code: err.code,
    ref: err.requestId ? ` (${err.provider.name} request ${err.requestId})` : "",
    retryAfterSeconds: err.retryAfterSeconds,
  };
  const message = rule.says ? `${rule.says(f)}. ${rule.hint(f)}` : `${err.message}${f.ref}`;
  return fromKind(err.kind, message, rule.retryable ? err.retryAfterSeconds : undefined);
}

/** Classifies an error of the server or a provider; anything else is an internal error. */
export function classifyError(err: unknown): Classified {
  if (err instanceof ToolError) {
    const after =
      err.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: err.retryAfterSeconds };
    return { category: err.category, retryable: err.retryable, ...after, message: err.message };
  }
  if (err instanceof ProviderError) return classifyProvider(err);
  if (err instanceof Error && err.name === "AbortError")
    return fromKind("cancelled", "The call was cancelled.");
  return fromKind(
    "internal",
    "rivya-mcp hit an unexpected internal error; the details are in its log.",
  );
}

/**
 * A failed task's `error.code` → its kind. Rivya reports `generation_failed` (and the simulator
 * `content_rejected`); EvoLink's codes are in evolink-api.md §9. Codes not listed, and the open
 * list's newcomers, count as a plain generation failure unless the message says "policy".
 */
const TASK_CODES: Record<string, FailureKind> = {
  content_rejected: "content_rejected",
  content_policy_violation: "content_rejected",
  invalid_parameters: "invalid_parameters",
  image_dimension_mismatch: "invalid_parameters",
  image_processing_error: "image_processing_error",
  request_cancelled: "cancelled",
  generation_timeout: "generation_timeout",
  quota_exceeded: "quota_exceeded",
  resource_exhausted: "quota_exceeded",
  rate_limited: "quota_exceeded",
};

const REJECTION = /content|safety|policy|moderation|nsfw|prohibited/i;

const NO_PROVIDER: ProviderLabel = {
  id: "",
  name: "the provider",
  keyEnv: "the provider's API key",
  keyShape: "its key",
  keyPage: "the provider's settings",
};

function taskKind(error: { code: string; message: string }): FailureKind {
  const known = Object.hasOwn(TASK_CODES, error.code) ? TASK_CODES[error.code] : undefined;
  if (known) return known;
  return REJECTION.test(error.message) ? "content_rejected" : "generation_failed";
}

/** Classifies a task-level failure (a failed task's `error` object). */
export function classifyTaskError(
  error: { code: string; message: string },
  provider: ProviderLabel = NO_PROVIDER,
): Classified {
  const kind = taskKind(error);
  const hint = ruleOf(kind).hint({ provider, code: error.code, ref: "" });
  return fromKind(kind, `${error.message} ${hint}`);
}
