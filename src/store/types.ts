/**
 * Everything the server remembers between calls sits behind this one interface: the ledger
 * of generation requests (write-ahead intents that become tasks), task ownership,
 * idempotency, budgets and learned prices. The embedded default is a local file
 * (file-store.ts), safe for several processes sharing one state folder; a shared database
 * can implement the same interface to back several stateless replicas.
 */
import type { TaskStatus } from "../providers/types.js";

/**
 * One generation request. It is written as an intent (`state: "submitting"`, no task id)
 * before the paid create leaves the process, and becomes a task (`state: "created"`) when
 * the create answers. A create that was definitely refused removes its intent.
 */
export interface LedgerEntry {
  /** Stable ledger id, assigned before anything is sent ("gen_…"). */
  id: string;
  /** "local" over stdio; the access token's name in hosted mode. */
  owner: string;
  client_request_id: string;
  idempotency_key: string;
  /** Which provider serves it (its id, e.g. "rivya"). */
  provider: string;
  model: string;
  /** sha256 of the canonical upstream request body, to tell a retry from a different request. */
  request_hash: string;
  /** Effective settings with defaults filled in (no reference media), as shown to the agent. */
  settings: Record<string, unknown>;
  /** The first characters of the prompt, for task lists. */
  prompt_snippet: string;
  /** The price the spend guards checked, in the provider's credits. */
  quote_credits: number;
  state: "submitting" | "created";
  /** Null while submitting. */
  task_id: string | null;
  /** Null while submitting. */
  status: TaskStatus | null;
  reserved_credits: number;
  final_credits: number;
  result_urls: string[];
  error: { code: string; message: string } | null;
  /** When the provider stops serving `result_urls` (ISO 8601); absent when links do not expire. */
  result_expires_at?: string;
  /** Where the video was saved locally (get_task download: true, or auto-save in stdio mode). */
  saved_path?: string;
  /**
   * The secret in this request's callback URL (hosted mode with a public URL, at providers
   * that call back). A callback must present it; even then it is only a hint to re-read.
   */
  callback_token?: string;
  /**
   * What one of this entry's credits counts as in the owner's daily budget: US dollars per
   * credit when budgets are in dollars (several providers, --usd-per-credit); absent: 1, the
   * budget being in the one provider's credits.
   */
  budget_rate?: number;
  /**
   * When an MCP client cancelled the 2026 task that tracked this request (ISO 8601). Only
   * informative: the paid generation upstream goes on and its result stays in the ledger.
   */
  cancelled_at?: string;
  created_at: string;
  /** When this state was written; also the write time of its ledger line. */
  updated_at: string;
}

/** `openIntent` found an entry with the same owner and client_request_id: one request, one entry. */
export class DuplicateRequestError extends Error {
  override readonly name = "DuplicateRequestError";
  constructor(readonly existing: LedgerEntry) {
    super(`client_request_id ${existing.client_request_id} is already in the ledger`);
  }
}

/**
 * A file uploaded to a provider through upload_reference. In hosted mode everyone's uploads
 * sit in the one provider account the server's key opens, so the ledger remembers whose
 * each one is: generate_video refuses another person's file.
 */
export interface UploadRecord {
  /** "local" over stdio; the access token's name in hosted mode (as LedgerEntry.owner). */
  owner: string;
  /** The link the provider gave, as passed back in reference_media. */
  url: string;
  /** The provider that keeps the file (its id). */
  provider: string;
  /** The provider's id for the file. */
  file_id: string;
  created_at: string;
  /** When the provider deletes the file (ISO 8601); absent when it keeps files. */
  expires_at?: string;
}

/** Credits this owner has committed so far today, passed to `openIntent`'s check. */
export type SpendCheck = (spentToday: number) => void;

export interface Store {
  /**
   * Records a new intent, durably, before any money moves. With `check`, the owner's spend
   * since the start of the UTC day (every process's entries included) is computed and the
   * entry appended under one lock, so concurrent calls from any process cannot both pass
   * the same remaining budget; `check` throws to refuse, and then nothing is written. An
   * entry with the same owner and client_request_id already there (a concurrent call with the
   * same id) refuses with DuplicateRequestError, so one request never has two entries.
   */
  openIntent(entry: LedgerEntry, check?: SpendCheck): Promise<void>;
  /** Replaces the entry with the same `id`; durable when the promise resolves. */
  put(entry: LedgerEntry): Promise<void>;
  /** Forgets an intent whose create was definitely refused (nothing was created). */
  remove(owner: string, id: string): Promise<void>;
  /**
   * By ledger id alone, whoever owns it: only for a provider's callback, which names no
   * person; the caller checks the entry's callback_token before trusting the lookup.
   */
  entry(id: string): Promise<LedgerEntry | undefined>;
  /** By ledger id or by upstream task id; another owner's entry is `undefined`. */
  get(owner: string, idOrTaskId: string): Promise<LedgerEntry | undefined>;
  findByClientRequestId(owner: string, clientRequestId: string): Promise<LedgerEntry | undefined>;
  /** Most recent first (by created_at). */
  list(owner: string, limit: number): Promise<LedgerEntry[]>;
  /** What this owner has committed since `since`, in budget units (see `budgetCost`). */
  spentSince(owner: string, since: Date): Promise<number>;
  /** The highest reservation seen for a price key (provider, model and settings). */
  learnedPrice(key: string): Promise<number | undefined>;
  /** Remembers a reservation for a price key; keeps the highest seen. */
  learnPrice(key: string, credits: number): Promise<void>;
  /**
   * Remembers who uploaded a file. The first record of a URL stands: a later one (another
   * owner included) changes nothing, so nobody takes over a file by recording it again.
   */
  recordUpload(upload: UploadRecord): Promise<void>;
  /** Who uploaded the file at `url`; `undefined` for a URL never recorded (anyone's own link). */
  uploadOwner(url: string): Promise<string | undefined>;
  /**
   * 32 random bytes for `name` (lowercase letters, digits and dashes), made on first use and
   * the same afterwards for every instance sharing this store, even when two ask at once:
   * what one replica signs, another can verify. Never log it.
   */
  sharedSecret(name: string): Promise<Buffer>;
  /** Waits for pending writes; the store is unusable afterwards. */
  close(): Promise<void>;
}

/**
 * Net credits an entry costs as far as the server knows: an open intent at its quote (its
 * outcome is unknown), a failed task at what it finally cost (the refund counts back), any
 * other task at what the upstream reserved.
 */
export function netCost(entry: LedgerEntry): number {
  if (entry.state === "submitting") return entry.quote_credits;
  return entry.status === "failed" ? entry.final_credits : entry.reserved_credits;
}

/** What an entry counts against the daily budget, in the budget's unit. */
export function budgetCost(entry: LedgerEntry): number {
  return netCost(entry) * (entry.budget_rate ?? 1);
}

/** Names sharedSecret accepts: safe as a file name and as a key, whatever the store. */
export const SECRET_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

export const SECRET_BYTES = 32;

function checkSecretName(name: string): void {
  if (!SECRET_NAME.test(name))
    throw new Error(
      `a shared secret's name must match ${SECRET_NAME}; got ${JSON.stringify(name)}`,
    );
}

/**
 * Both stores' shared secrets, each made or read once per process: a failure (a full disk,
 * the database down) is not remembered, so the next call tries again; every caller gets a
 * copy, so one that fills its buffer cannot change everyone else's secret.
 */
export class SecretCache {
  private readonly made = new Map<string, Promise<Buffer>>();

  async get(name: string, make: () => Promise<Buffer>): Promise<Buffer> {
    checkSecretName(name);
    let secret = this.made.get(name);
    if (!secret) {
      secret = make();
      this.made.set(name, secret);
      secret.catch(() => this.made.delete(name));
    }
    return Buffer.from(await secret);
  }
}

export function startOfUtcDay(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
}
