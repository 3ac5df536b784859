/**
 * The single error boundary: every failure a tool meets becomes one sentence an agent can
 * act on, a category, and whether retrying makes sense. Stack traces never leave here.
 */
import * as z from "zod";
import { classifyError } from "../errors/classify.js";
import { ruleOf } from "../errors/failures.js";
import type { Classified } from "../errors/tool-error.js";

export function classify(err: unknown): Classified {
  if (err instanceof z.ZodError) {
    const { category, retryable } = ruleOf("validation");
    return { category, retryable, message: formatZodError(err) };
  }
  return classifyError(err);
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
