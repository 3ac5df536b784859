/** Options and handle of the EvoLink simulator (evolink-api.md §15). */
import type { AccountSeed } from "./accounts.js";
import type { CallbackAttempt } from "./callbacks.js";

/** Fault switches; shares are 0..1 and default to 0. */
export interface EvolinkFaults {
  latencyMs: number;
  rate5xx: number;
  rate429: number;
  /** A create is stored and charged, then the connection is dropped before the reply. */
  dropAfterAccept: number;
}

export interface EvolinkSimulatorLimits {
  tasks: number;
  accounts: number;
  requestRecords: number;
  callbackRecords: number;
  files: number;
  fileBytes: number;
}

export interface EvolinkSimulatorOptions {
  /** Default 0 (any free port); always 127.0.0.1. */
  port?: number;
  /** The clock in ms; tests inject one to walk lifecycles and link expiry. Default Date.now. */
  now?: () => number;
  seed?: number;
  /** Configured keys; a key listed with `models` may use only those (else 403). */
  accounts?: readonly AccountSeed[];
  /** Default: true without `accounts`, false with them. */
  acceptAnyKey?: boolean;
  /** Default 1000. */
  startingCredits?: number;
  /** Defaults 2000 and 4000. */
  pendingMs?: number;
  processingMs?: number;
  /** Share of tasks that fail with `failureCode` (default generation_failed_no_content). */
  failureRate?: number;
  failureCode?: string;
  /** 4k has no published price: default 4.0 × 5.4 per second. */
  multiplier4k?: number;
  /** Creates per minute per model; `null` switches the bucket off. Default 50. */
  rateLimitPerMinute?: number | null;
  /** Switch: send this Retry-After (seconds) with a 429; default none, as documented. */
  retryAfterSeconds?: number;
  /** Reject unknown create fields instead of ignoring them. */
  strict?: boolean;
  /** Accept `http://127.0.0.1:…` callback URLs (tests); EvoLink wants public HTTPS. */
  allowLoopbackCallbacks?: boolean;
  /** Defaults [1000, 2000, 4000] and 10000. */
  callbackRetryDelaysMs?: readonly number[];
  callbackTimeoutMs?: number;
  /** Default 10 MB and 2000 files. */
  maxFileBytes?: number;
  maxFiles?: number;
  faults?: Partial<EvolinkFaults>;
  limits?: Partial<EvolinkSimulatorLimits>;
}

export interface EvolinkRequestRecord {
  method: string;
  path: string;
  /** 0 while running, and for a dropped reply. */
  status: number;
  dropped?: boolean;
}

export interface EvolinkSimulator {
  url: string;
  /** The latest requests, oldest first (bounded). */
  requests: EvolinkRequestRecord[];
  /** Every callback attempt made (bounded). */
  callbacks: CallbackAttempt[];
  setFaults(f: Partial<EvolinkFaults>): void;
  /** Ends the tasks due on the clock now (a request does the same). */
  tick(): void;
  balance(key: string): { remaining: number; used: number };
  tasks(): { id: string; key: string; price: number; status: string }[];
  /** Test hook: the task fails with this code when it ends (e.g. `request_cancelled`). */
  failTask(id: string, code: string): void;
  retained(): {
    tasks: number;
    accounts: number;
    requestRecords: number;
    callbackRecords: number;
    files: number;
    fileBytes: number;
  };
  close(): Promise<void>;
}
