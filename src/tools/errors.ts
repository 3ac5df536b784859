/**
 * The single error boundary: every failure a tool meets becomes one sentence an agent can
 * act on, a category, and whether retrying makes sense. Stack traces never leave here.
 */
import { z } from "zod";
import { RivyaError } from "../rivya/errors.js";

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

/** Turns zod issues into one line per problem, naming the field. */
export function formatZodError(err: z.ZodError): string {
  const lines = err.issues.map((issue) => {
    const path = issue.path.join(".");
    if (issue.code === "invalid_type" && /received undefined$/.test(issue.message))
      return `${path} is required`;
    // Our own messages already name the field; zod's defaults do not.
    return path && !issue.message.includes(path) ? `${path}: ${issue.message}` : issue.message;
  });
  return `Invalid arguments: ${lines.join("; ")}.`;
}

/** The text of an isError result: the sentence, then the machine-readable facts. */
export function errorText(c: Classified): string {
  const after =
    c.retryAfterSeconds === undefined ? "" : `; retry_after_seconds: ${c.retryAfterSeconds}`;
  return `${c.message}\n[category: ${c.category}; retryable: ${c.retryable}${after}]`;
}
