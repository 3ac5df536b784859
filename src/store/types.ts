/**
 * Everything the server remembers between calls sits behind this one small interface: task
 * ownership, the ledger, idempotency keys and budgets. The embedded default is a local file
 * (file-store.ts); a shared database can implement the same interface to back several
 * stateless replicas without touching the tools.
 */
import type { TaskStatus } from "../rivya/types.js";

export interface LedgerEntry {
  task_id: string;
  /** "local" over stdio; the access token's name in hosted mode. */
  owner: string;
  model: string;
  /** sha256 of the upstream request body, to tell a retry from a different request. */
  request_hash: string;
  idempotency_key: string;
  client_request_id: string;
  /** The cost stated to the caller before submitting. */
  cost_credits: number;
  reserved_credits: number;
  final_credits: number;
  status: TaskStatus;
  result_urls: string[];
  error: { code: string; message: string } | null;
  saved_path?: string;
  created_at: string;
  updated_at: string;
}

export interface Store {
  /** Inserts or replaces the entry for `entry.task_id`; durable when the promise resolves. */
  put(entry: LedgerEntry): Promise<void>;
  get(owner: string, taskId: string): Promise<LedgerEntry | undefined>;
  findByClientRequestId(owner: string, clientRequestId: string): Promise<LedgerEntry | undefined>;
  /** Most recent first. */
  list(owner: string, limit: number): Promise<LedgerEntry[]>;
  /** Credits this owner has committed since `since`: reserved, less refunds of failed tasks. */
  spentSince(owner: string, since: Date): Promise<number>;
  close(): Promise<void>;
}

/** Net credits an entry costs as far as the server knows (a failed task's refund counts back). */
export function netCost(entry: LedgerEntry): number {
  return entry.status === "failed" ? entry.final_credits : entry.reserved_credits;
}
