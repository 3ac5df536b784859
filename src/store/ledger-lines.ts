/**
 * The four kinds of line in ledger.jsonl. An entry line is the LedgerEntry itself (so the
 * file stays readable with jq); a tombstone, a learned price and an upload carry a `kind`
 * field, which entries never have. An upload line has no `id` or `task_id`, so a release
 * from before uploads were recorded skips it like any line not its own.
 */
import type { LedgerEntry, UploadRecord } from "./types.js";

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

export type UploadLine = { kind: "upload" } & UploadRecord;

export type LedgerLine =
  | { kind: "entry"; entry: LedgerEntry }
  | Tombstone
  | LearnedPrice
  | UploadLine;

/** The line's text, newline included. */
export function encodeLine(line: LedgerLine): string {
  return `${JSON.stringify(line.kind === "entry" ? line.entry : line)}\n`;
}

/**
 * Always in this key order, url first: RawLedger finds a URL's line by searching the bytes
 * for `{"kind":"upload","url":…,`.
 */
export function uploadLine(u: UploadRecord): UploadLine {
  return {
    kind: "upload",
    url: u.url,
    owner: u.owner,
    provider: u.provider,
    file_id: u.file_id,
    created_at: u.created_at,
    ...(u.expires_at === undefined ? {} : { expires_at: u.expires_at }),
  };
}

/** The record an upload line carries (without its `kind`). */
export function uploadOf(line: UploadLine): UploadRecord {
  const { kind: _, ...upload } = line;
  return upload;
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
  if (value.kind === "upload")
    return typeof value.url === "string" && typeof value.owner === "string"
      ? (value as never)
      : undefined;
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
