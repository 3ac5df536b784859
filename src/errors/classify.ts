/**
 * The single error boundary: every failure a tool meets becomes one sentence an agent can
 * act on, a category, and whether retrying makes sense. Stack traces never leave here.
 */
import { z } from "zod";
import { RivyaError } from "../providers/rivya/errors.js";

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

/** A failure a tool reports in its own words, already classified. */
export class ToolError extends Error {
  override readonly name: string = "ToolError";
  constructor(
    message: string,
    readonly category: FailureCategory,
    readonly retryable: boolean,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

/** A problem with the caller's input, found before anything was sent or spent. */
export class ToolInputError extends ToolError {
  override readonly name = "ToolInputError";
  constructor(message: string) {
    super(message, "invalid_request", false);
  }
}

export interface Classified {
  category: FailureCategory;
  retryable: boolean;
  retryAfterSeconds?: number;
  message: string;
}

const REJECTION = /content|safety|policy|moderation|nsfw|prohibited/i;

/** Classifies a task-level failure (a failed task's `error` object). */
export function classifyTaskError(error: { code: string; message: string }): Classified {
  const rejected = error.code === "content_rejected" || REJECTION.test(error.message);
  return rejected
    ? {
        category: "content_rejected",
        retryable: false,
        message: `${error.message} Rephrase the prompt or change the reference before trying again.`,
      }
    : {
        category: "generation_failed",
        retryable: true,
        message: `${error.message} The credits were refunded; the same request may succeed if submitted again.`,
      };
}

function classifyRivya(err: RivyaError): Classified {
  const after = err.retryAfterSeconds;
  const retryIn = after === undefined ? {} : { retryAfterSeconds: after };
  const ref = err.requestId ? ` (Rivya request ${err.requestId})` : "";
  switch (err.kind) {
    case "auth":
      if (err.code === "api_key_missing")
        return {
          category: "auth",
          retryable: false,
          message:
            "RIVYA_API_KEY is not set on this server, so it cannot call Rivya (list_models works without it). Set RIVYA_API_KEY (rvya_sk_…) in the server's environment or the host's MCP config and restart the server, or try --demo.",
        };
      return {
        category: "auth",
        retryable: false,
        message: `Rivya refused the API key (${err.code})${ref}. Check RIVYA_API_KEY, or create a new key in Rivya Settings.`,
      };
    case "scope_denied":
      return {
        category: "auth",
        retryable: false,
        message: `The API key lacks the scope for this call${ref}. Create a new key with all v1 scopes in Rivya Settings.`,
      };
    case "validation":
    case "idempotency_conflict":
      return { category: "invalid_request", retryable: false, message: `${err.message}${ref}` };
    case "insufficient_credits":
      return {
        category: "insufficient_credits",
        retryable: false,
        message: `Not enough Rivya credits for this call${ref}. Top up the account, or choose a cheaper model (list_models shows costs).`,
      };
    case "not_found":
      return { category: "not_found", retryable: false, message: `${err.message}${ref}` };
    case "rate_limited":
      return {
        category: "rate_limited",
        retryable: true,
        ...retryIn,
        message: `Rivya is rate limiting this key${ref}. Wait ${after ?? 10} s, then retry.`,
      };
    default:
      return {
        category: "upstream_unavailable",
        retryable: true,
        ...retryIn,
        message: `Rivya could not be reached or answered with an error (${err.code})${ref}. Retry in a little while.`,
      };
  }
}

export function classify(err: unknown): Classified {
  if (err instanceof ToolError) {
    const after =
      err.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: err.retryAfterSeconds };
    return { category: err.category, retryable: err.retryable, ...after, message: err.message };
  }
  if (err instanceof z.ZodError)
    return { category: "invalid_request", retryable: false, message: formatZodError(err) };
  if (err instanceof RivyaError) return classifyRivya(err);
  if (err instanceof Error && err.name === "AbortError")
    return { category: "cancelled", retryable: true, message: "The call was cancelled." };
  return {
    category: "internal",
    retryable: false,
    message: "rivya-mcp hit an unexpected internal error; the details are in its log.",
  };
}

/** How zod's own messages begin: such a message is rewritten, never shown to an agent. */
const ZOD_WORDING = /^(Invalid |Unrecognized key|Too (big|small)|Expected |Required$)/;

/** What a JSON type is called in a sentence, with the values it allows. */
const EXPECTED: Record<string, string> = {
  string: "a string",
  number: "a number",
  int: "an integer",
  boolean: "true or false",
  array: "an array",
  object: "an object",
  record: "an object",
};

/** One problem in our own words; zod's default wording never reaches an agent. */
function describeIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.map(String).join(".");
  // Messages written in the schemas already name the field and what it allows.
  if (!ZOD_WORDING.test(issue.message)) return issue.message;
  const field = path || "the arguments";
  switch (issue.code) {
    case "invalid_type":
      return /received undefined$/.test(issue.message)
        ? `${field} is required`
        : `${field} must be ${EXPECTED[issue.expected] ?? issue.expected}`;
    case "too_small":
      return issue.origin === "string"
        ? `${field} must not be empty`
        : `${field} must be at least ${issue.minimum}`;
    case "too_big":
      return issue.origin === "string"
        ? `${field} must be at most ${issue.maximum} characters`
        : `${field} must be at most ${issue.maximum}`;
    case "invalid_value":
      return `${field} must be one of ${issue.values.map(String).join(", ")}`;
    case "unrecognized_keys":
      return `unknown argument ${issue.keys.join(", ")}: remove it`;
    default:
      return `${field} has a value this tool cannot use`;
  }
}

/** Turns zod issues into one sentence naming each field, what it allows, and what to do. */
export function formatZodError(err: z.ZodError): string {
  const lines = [...new Set(err.issues.map(describeIssue))];
  return `Invalid arguments: ${lines.join("; ")}. Fix ${lines.length > 1 ? "them" : "it"} and call again; nothing was spent.`;
}

/** The text of an isError result: the sentence, then the machine-readable facts. */
export function errorText(c: Classified): string {
  const after =
    c.retryAfterSeconds === undefined ? "" : `; retry_after_seconds: ${c.retryAfterSeconds}`;
  return `${c.message}\n[category: ${c.category}; retryable: ${c.retryable}${after}]`;
}
