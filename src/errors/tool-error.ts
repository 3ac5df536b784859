/** Failures the server reports in its own words, already classified. */
import type { FailureCategory } from "./failures.js";

/** What an agent is told about a failure: one sentence it can act on, and two facts. */
export interface Classified {
  category: FailureCategory;
  retryable: boolean;
  retryAfterSeconds?: number;
  message: string;
}

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
