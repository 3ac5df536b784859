/**
 * Writers read an entry, change one thing and write the whole entry back: the create's
 * record, a status poll, a provider's callback, an MCP client's tasks/cancel. Two at once
 * must not undo each other, so every put is merged with what is stored, under the store's
 * lock: a recorded task is never replaced by the intent it came from, a finished status never
 * by a running one, and marks once made (the cancellation, the saved copy) stay.
 */
import { isTerminalStatus, type TaskStatus } from "../providers/types.js";
import type { LedgerEntry } from "./types.js";

/** What a provider has said about the task: it moves only forward. */
const TASK_FIELDS = [
  "state",
  "task_id",
  "status",
  "reserved_credits",
  "final_credits",
  "result_urls",
  "error",
  "result_expires_at",
] as const;

const finished = (status: TaskStatus | null) => status !== null && isTerminalStatus(status);

/** Whether `incoming` knows less of the task than `stored` does. */
function older(stored: LedgerEntry, incoming: LedgerEntry): boolean {
  if (stored.state === "created" && incoming.state === "submitting") return true;
  return finished(stored.status) && !finished(incoming.status);
}

export function mergeForPut(stored: LedgerEntry | undefined, incoming: LedgerEntry): LedgerEntry {
  if (!stored || stored.id !== incoming.id) return incoming;
  const merged: LedgerEntry = { ...incoming };
  if (older(stored, incoming)) {
    const target = merged as unknown as Record<string, unknown>;
    for (const key of TASK_FIELDS)
      if (stored[key] === undefined) delete target[key];
      else target[key] = stored[key];
  }
  const cancelledAt = incoming.cancelled_at ?? stored.cancelled_at;
  if (cancelledAt !== undefined) merged.cancelled_at = cancelledAt;
  const savedPath = incoming.saved_path ?? stored.saved_path;
  if (savedPath !== undefined) merged.saved_path = savedPath;
  return merged;
}
