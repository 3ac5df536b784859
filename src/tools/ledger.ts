/** Moving between Rivya tasks and ledger entries. */
import { createHash } from "node:crypto";
import { canonicalJson } from "../canonical-json.js";
import type { RivyaTask } from "../rivya/types.js";
import type { LedgerEntry } from "../store/types.js";
import type { ServerDeps } from "./types.js";

export function hashRequest(body: object): string {
  return createHash("sha256").update(canonicalJson(body)).digest("hex");
}

export interface NewEntry {
  owner: string;
  requestHash: string;
  idempotencyKey: string;
  clientRequestId: string;
  cost: number;
}

export function entryFor(task: RivyaTask, meta: NewEntry): LedgerEntry {
  const now = new Date().toISOString();
  return {
    task_id: task.id,
    owner: meta.owner,
    model: task.model,
    request_hash: meta.requestHash,
    idempotency_key: meta.idempotencyKey,
    client_request_id: meta.clientRequestId,
    cost_credits: meta.cost,
    reserved_credits: task.reserved_credits,
    final_credits: task.final_credits,
    status: task.status,
    result_urls: task.result?.urls ?? [],
    error: task.error,
    created_at: now,
    updated_at: now,
  };
}

/** The entry with the task's latest state; unchanged entries are returned as they are. */
export function withTaskState(entry: LedgerEntry, task: RivyaTask): LedgerEntry {
  const urls = task.result?.urls ?? [];
  const same =
    entry.status === task.status &&
    entry.final_credits === task.final_credits &&
    entry.reserved_credits === task.reserved_credits &&
    entry.result_urls.length === urls.length;
  if (same) return entry;
  return {
    ...entry,
    status: task.status,
    reserved_credits: task.reserved_credits,
    final_credits: task.final_credits,
    result_urls: urls,
    error: task.error,
    updated_at: new Date().toISOString(),
  };
}

/** A task as the ledger last saw it, for when Rivya cannot be asked. */
export function taskFromEntry(entry: LedgerEntry): RivyaTask {
  const [primary] = entry.result_urls;
  return {
    id: entry.task_id,
    status: entry.status,
    model: entry.model,
    reserved_credits: entry.reserved_credits,
    final_credits: entry.final_credits,
    created_at: entry.created_at,
    updated_at: entry.updated_at,
    result: primary ? { primary_url: primary, urls: entry.result_urls } : null,
    error: entry.error,
  };
}

/** A ledger write that fails must not turn a paid task into an error that hides its id. */
export async function recordSafely(deps: ServerDeps, entry: LedgerEntry): Promise<void> {
  try {
    await deps.store.put(entry);
  } catch (err) {
    deps.log.error("ledger write failed", { task_id: entry.task_id, error: String(err) });
  }
}

/** Brings an entry up to the task's state, writing only when something changed. */
export async function recordTaskState(
  deps: ServerDeps,
  entry: LedgerEntry,
  task: RivyaTask,
): Promise<LedgerEntry> {
  const next = withTaskState(entry, task);
  if (next !== entry) await recordSafely(deps, next);
  return next;
}
