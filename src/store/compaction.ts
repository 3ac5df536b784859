/**
 * What a compacted ledger keeps: every learned price, every upload whose file the provider
 * may still hold, every entry still in play and every entry of the last two days (daily
 * budgets are summed from them), then the newest finished ones up to the bound. Only old,
 * finished entries and uploads a day past their expiry are ever dropped.
 */
import { isTerminalStatus } from "../providers/types.js";
import { encodeLine, uploadLine } from "./ledger-lines.js";
import type { LedgerEntry, UploadRecord } from "./types.js";

const KEEP_RECENT_MS = 2 * 86_400_000;
/** A provider's clock and ours may differ: an expired file's owner is kept a day longer. */
const KEEP_EXPIRED_UPLOAD_MS = 86_400_000;

export function isExpiredUpload(upload: UploadRecord, now: number): boolean {
  if (upload.expires_at === undefined) return false;
  return Date.parse(upload.expires_at) + KEEP_EXPIRED_UPLOAD_MS < now;
}

export function isPrunable(entry: LedgerEntry, keepFrom: string): boolean {
  if (entry.state !== "created" || entry.status === null) return false;
  return isTerminalStatus(entry.status) && entry.created_at < keepFrom;
}

/**
 * The compacted file's text (prices, uploads, then entries oldest first), its line count,
 * the entries and uploads it leaves out.
 */
export function compactedText(
  entries: Iterable<LedgerEntry>,
  prices: Iterable<[string, number]>,
  uploads: Iterable<UploadRecord>,
  maxEntries: number,
  now = Date.now(),
): { text: string; lines: number; dropped: LedgerEntry[]; droppedUploads: UploadRecord[] } {
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
  const droppedUploads: UploadRecord[] = [];
  for (const upload of uploads) {
    if (isExpiredUpload(upload, now)) droppedUploads.push(upload);
    else lines.push(encodeLine(uploadLine(upload)));
  }
  for (const entry of kept) lines.push(encodeLine({ kind: "entry", entry }));
  return { text: lines.join(""), lines: lines.length, dropped, droppedUploads };
}
