/** Public option and handle types of the Rivya simulator (see shared/rivya-api.md §15). */
import type { ModelTable } from "../../../catalog/types.js";
import type { RivyaTask } from "../types.js";

/** Fault switches for tests; each share is 0..1 and all default to 0. */
export interface Faults {
  latencyMs: number;
  rate429: number;
  rate5xx: number;
  dropAfterAccept: number;
}

export type AccountStatus = "active" | "revoked" | "expired";

export interface AccountOptions {
  credits?: number;
  scopes?: string[];
  status?: AccountStatus;
}

export interface SimulatorOptions {
  /** Default 0 (a free port); the simulator always binds 127.0.0.1. */
  port?: number;
  /** Credits of every account created on first use; default 1000. */
  startingCredits?: number;
  /** Default true: any `rvya_sk_...` key gets an account on first use. */
  acceptAnyKey?: boolean;
  accounts?: Record<string, AccountOptions>;
  /** Time a task spends in `queued`; default 2000. */
  queuedMs?: number;
  /** Time a task spends in `processing` before it ends; default 4000. */
  processingMs?: number;
  /** Share of tasks that end `failed`; default 0. */
  failureRate?: number;
  /** Token bucket per key; `null` disables it. Default { capacity: 120, refillPerSecond: 20 }. */
  rateLimit?: { capacity: number; refillPerSecond: number } | null;
  faults?: Partial<Faults>;
  /** Seeds the PRNG behind faults and failureRate so runs repeat exactly. */
  seed?: number;
  /** Default: Rivya's model tables (providers/rivya/models). */
  models?: readonly ModelTable[];
  /**
   * What a create reserves (and, on success, charges), given the model and its params with
   * the table's defaults filled in. Default: the table's base credits (FIXED billing, §15).
   * Tests use it to stand in for an upstream that prices by duration.
   */
  reserveCredits?: (model: ModelTable, params: Readonly<Record<string, unknown>>) => number;
  /**
   * Folder that keeps accounts, tasks, idempotency records and uploaded files across
   * restarts. Unset: everything lives in memory only (tests, benchmarks).
   */
  stateDir?: string;
  /** How much the simulator keeps, so a long run stays bounded. See DEFAULT_LIMITS. */
  limits?: Partial<SimulatorLimits>;
}

/**
 * Caps on what a long-running simulator retains. Beyond each, the oldest (or least
 * recently used) entries go: accounts made on first sight (configured ones stay), request
 * records, idempotency entries, finished tasks, and uploaded files.
 */
export interface SimulatorLimits {
  accounts: number;
  requestRecords: number;
  idempotencyKeys: number;
  finishedTasks: number;
  files: number;
  fileBytes: number;
}

/** How much is retained right now (compare with SimulatorLimits). */
export interface SimulatorRetained {
  accounts: number;
  requestRecords: number;
  idempotencyKeys: number;
  tasks: number;
  finishedTasks: number;
  files: number;
  fileBytes: number;
}

/** One received request; `status` stays 0 while in flight and for dropped connections. */
export interface RequestRecord {
  method: string;
  path: string;
  status: number;
  key?: string;
  at: number;
}

export interface SimulatorStats {
  tasksCreated: number;
  creditsCharged: number;
  creditsRefunded: number;
  filesUploaded: number;
}

export interface Simulator {
  /** e.g. http://127.0.0.1:41234 (no trailing slash). */
  url: string;
  /** Closes the server and all sockets, and clears timers. */
  close(): Promise<void>;
  setFaults(f: Partial<Faults>): void;
  /** The key's balance after settling every due task. */
  balance(key: string): number;
  /** The most recent requests, oldest first (at most limits.requestRecords of them). */
  requests: RequestRecord[];
  stats(): SimulatorStats;
  /** Counts of what the simulator holds, for checking its caps. */
  retained(): SimulatorRetained;
  tasks(key?: string): RivyaTask[];
}
