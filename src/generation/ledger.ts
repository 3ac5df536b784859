/** Moving between write-ahead intents, provider tasks and ledger entries. */
import { createHash, randomUUID } from "node:crypto";
import { canonicalJson } from "../canonical-json.js";
import type { Task } from "../providers/types.js";
import type { LedgerEntry } from "../store/types.js";
import type { ServerDeps } from "./context.js";

export function hashRequest(body: object): string {
  return createHash("sha256").update(canonicalJson(body)).digest("hex");
}

export interface IntentFields {
  owner: string;
  clientRequestId: string;
  idempotencyKey: string;
  provider: string;
  model: string;
  requestHash: string;
  settings: Record<string, unknown>;
  prompt: string;
  quote: number;
}

const SNIPPET = 80;

export function promptSnippet(prompt: string): string {
  const flat = prompt.replace(/\s+/g, " ").trim();
  return flat.length > SNIPPET ? `${flat.slice(0, SNIPPET - 1)}…` : flat;
}

/** A new intent: written before the create leaves the process, so no charge goes unrecorded. */
export function newIntent(f: IntentFields, now = new Date()): LedgerEntry {
  const at = now.toISOString();
  return {
    id: `gen_${randomUUID()}`,
    owner: f.owner,
    client_request_id: f.clientRequestId,
    idempotency_key: f.idempotencyKey,
    provider: f.provider,
    model: f.model,
    request_hash: f.requestHash,
    settings: f.settings,
    prompt_snippet: promptSnippet(f.prompt),
    quote_credits: f.quote,
    state: "submitting",
    task_id: null,
    status: null,
    reserved_credits: 0,
    final_credits: 0,
    result_urls: [],
    error: null,
    created_at: at,
    updated_at: at,
  };
}

/** The entry with the task's latest state; an unchanged entry is returned as it is. */
export function withTaskState(entry: LedgerEntry, task: Task): LedgerEntry {
  const urls = task.result?.urls ?? [];
  const expiresAt = task.result?.expires_at;
  const same =
    entry.state === "created" &&
    entry.task_id === task.id &&
    entry.status === task.status &&
    entry.final_credits === task.final_credits &&
    entry.reserved_credits === task.reserved_credits &&
    entry.result_urls.length === urls.length &&
    entry.result_expires_at === expiresAt;
  if (same) return entry;
  const { result_expires_at: _, ...rest } = entry;
  return {
    ...rest,
    state: "created",
    task_id: task.id,
    status: task.status,
    reserved_credits: task.reserved_credits,
    final_credits: task.final_credits,
    result_urls: urls,
    ...(expiresAt ? { result_expires_at: expiresAt } : {}),
    error: task.error,
    updated_at: new Date().toISOString(),
  };
}

/** A task as the ledger last saw it, for when the provider cannot be asked (created entries only). */
export function taskFromEntry(entry: LedgerEntry): Task {
  const [primary] = entry.result_urls;
  return {
    id: entry.task_id ?? entry.id,
    status: entry.status ?? "queued",
    model: entry.model,
    reserved_credits: entry.reserved_credits,
    final_credits: entry.final_credits,
    created_at: entry.created_at,
    updated_at: entry.updated_at,
    result: primary
      ? {
          primary_url: primary,
          urls: entry.result_urls,
          ...(entry.result_expires_at ? { expires_at: entry.result_expires_at } : {}),
        }
      : null,
    error: entry.error,
  };
}

/**
 * A ledger write that fails must not turn a paid task into an error that hides its id: the
 * failure is logged and the caller goes on with the task in hand.
 */
export async function recordSafely(deps: ServerDeps, entry: LedgerEntry): Promise<void> {
  try {
    await deps.store.put(entry);
  } catch (err) {
    deps.log.error("ledger write failed", {
      id: entry.id,
      task_id: entry.task_id,
      error: String(err),
    });
  }
}

/** Brings an entry up to the task's state, writing only when something changed. */
export async function recordTaskState(
  deps: ServerDeps,
  entry: LedgerEntry,
  task: Task,
): Promise<LedgerEntry> {
  const next = withTaskState(entry, task);
  if (next !== entry) await recordSafely(deps, next);
  return next;
}
