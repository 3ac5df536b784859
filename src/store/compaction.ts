/**
 * What a compacted ledger keeps: every learned price, every entry still in play and every
 * entry of the last two days (daily budgets are summed from them), then the newest finished
 * ones up to the bound. Only old, finished entries are ever dropped.
 */
import { isTerminalStatus } from "../providers/types.js";
import { encodeLine } from "./ledger-lines.js";
import type { LedgerEntry } from "./types.js";

const KEEP_RECENT_MS = 2 * 86_400_000;

export function isPrunable(entry: LedgerEntry, keepFrom: string): boolean {
  if (entry.state !== "created" || entry.status === null) return false;
  return isTerminalStatus(entry.status) && entry.created_at < keepFrom;
}

/** The compacted file's text (prices, then entries oldest first), its line count, what went. */
export function compactedText(
  entries: Iterable<LedgerEntry>,
  prices: Iterable<[string, number]>,
  maxEntries: number,
  now = Date.now(),
): { text: string; lines: number; dropped: LedgerEntry[] } {
  const all = [...entries].sort((a, b) => a.created_at.localeCompare(b.created_at));
  const keepFrom = new Date(now - KEEP_RECENT_MS).toISOString();
  let excess = all.length - maxEntries;
  const kept: LedgerEntry[] = [];
  const dropped: LedgerEntry[] = [];
  for (const entry of all) {
    if (excess > 0 && isPrunable(entry, keepFrom)) {
      dropped.push(entry);
      excess -= 1;
    } else kept.push(entry);
  }
  const lines = [...prices].map(([key, credits]) => encodeLine({ kind: "price", key, credits }));
  for (const entry of kept) lines.push(encodeLine({ kind: "entry", entry }));
  return { text: lines.join(""), lines: lines.length, dropped };
}
