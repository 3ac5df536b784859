/**
 * The three kinds of line in ledger.jsonl. An entry line is the LedgerEntry itself (so the
 * file stays readable with jq); a tombstone and a learned price carry a `kind` field, which
 * entries never have.
 */
import type { LedgerEntry } from "./types.js";

export interface Tombstone {
  kind: "removed";
  id: string;
  owner: string;
  at: string;
}

export interface LearnedPrice {
  kind: "price";
  key: string;
  credits: number;
}

export type LedgerLine = { kind: "entry"; entry: LedgerEntry } | Tombstone | LearnedPrice;

/** The line's text, newline included. */
export function encodeLine(line: LedgerLine): string {
  return `${JSON.stringify(line.kind === "entry" ? line.entry : line)}\n`;
}

export function tombstone(owner: string, id: string): Tombstone {
  return { kind: "removed", id, owner, at: new Date().toISOString() };
}

/** Undefined for a line that is not JSON or not one of ours (a torn write, say). */
export function parseLine(text: string): LedgerLine | undefined {
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  if (value.kind === "removed" && typeof value.id === "string") return value as never;
  if (value.kind === "price" && typeof value.key === "string" && typeof value.credits === "number")
    return value as never;
  if (typeof value.owner !== "string") return undefined;
  const entry = asEntry(value);
  return entry && { kind: "entry", entry };
}

/** An entry as the store keeps it; a task line from before intents gets its id and state. */
function asEntry(value: object): LedgerEntry | undefined {
  const fields = value as Record<string, unknown>;
  if (typeof fields.id === "string") return value as LedgerEntry;
  if (typeof fields.task_id === "string") return fromTaskLine(fields);
  return undefined;
}

/**
 * Ledgers written before intents existed hold one line per created task, keyed by task id:
 * read them as created entries so an upgrade keeps every task and its spend.
 */
function fromTaskLine(old: Record<string, unknown>): LedgerEntry {
  const quote = typeof old.cost_credits === "number" ? old.cost_credits : 0;
  return {
    ...(old as unknown as LedgerEntry),
    provider: "rivya",
    settings: {},
    prompt_snippet: "",
    quote_credits: quote,
    id: old.task_id as string,
    state: "created",
  };
}
