/**
 * The ledger in PostgreSQL, for several stateless replicas sharing one team's state. Every
 * write is one statement (or, for a budget-checked intent, one transaction holding the
 * owner's advisory lock), so replicas agree without any cache: each read asks the database.
 *
 * Opening connects to nothing: the pool connects on the first query and the migrations run
 * in the background, so `initialize` never waits for the database. Any database failure
 * reaches the agent as a retryable `upstream_unavailable` error; an intent that cannot be
 * written means no create is sent.
 */
import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import { ToolError } from "../errors/tool-error.js";
import { mergeForPut } from "./merge.js";
import { migrate, quoteIdent } from "./postgres-migrations.js";
import {
  DuplicateRequestError,
  type LedgerEntry,
  SECRET_BYTES,
  SecretCache,
  type SpendCheck,
  type Store,
  startOfUtcDay,
  type UploadRecord,
} from "./types.js";

/**
 * Explicit limits, so a stalled database fails calls quickly instead of queueing them:
 * a few connections per replica are plenty (each call holds one for a statement or two).
 */
export const POSTGRES_DEFAULTS = {
  poolSize: 10,
  /** Giving up on a connection that does not open (server down, network gone). */
  connectionTimeoutMs: 5_000,
  /** Server side: no statement (a lock wait included) runs longer than this. */
  statementTimeoutMs: 10_000,
  /** The schema holding the tables (created if missing); `?schema=` in the URL overrides it. */
  schema: "rivya_mcp",
} as const;

/**
 * What a failed read or intent means for the caller: they all come before any create
 * (writes after a create are logged by the tools, never shown as the call's failure).
 */
const NOTHING_SENT = "This call submitted nothing and charged nothing.";

/** How long a put keeps trying through a database outage (a restart takes a few seconds). */
const PUT_RETRY_MS = 15_000;

/** The advisory lock class for per-owner budget checks (the key is the owner's hash). */
const OWNER_LOCK = 0x52564d43;

export interface PostgresStoreOptions {
  /** postgres://user:pass@host:port/db[?schema=name] */
  url: string;
  schema?: string;
  poolSize?: number;
  connectionTimeoutMs?: number;
  statementTimeoutMs?: number;
}

/** The URL's own `schema` parameter, which node-postgres would not understand. */
export function splitSchema(url: string): { url: string; schema: string | undefined } {
  const parsed = new URL(url);
  const schema = parsed.searchParams.get("schema") ?? undefined;
  parsed.searchParams.delete("schema");
  return { url: parsed.toString(), schema };
}

interface EntryRow {
  entry: LedgerEntry;
}

export class PostgresStore implements Store {
  readonly kind = "postgres";
  readonly schema: string;
  private readonly pool: pg.Pool;
  private readonly entries: string;
  private readonly prices: string;
  private readonly uploads: string;
  private readonly secretsTable: string;
  /** Each secret read once per instance: it never changes afterwards. */
  private readonly secrets = new SecretCache();
  private migrated: Promise<unknown> | undefined;
  private closed = false;

  private constructor(opts: PostgresStoreOptions) {
    const { url, schema } = splitSchema(opts.url);
    this.schema = opts.schema ?? schema ?? POSTGRES_DEFAULTS.schema;
    const statementTimeout = opts.statementTimeoutMs ?? POSTGRES_DEFAULTS.statementTimeoutMs;
    this.pool = new pg.Pool({
      connectionString: url,
      max: opts.poolSize ?? POSTGRES_DEFAULTS.poolSize,
      connectionTimeoutMillis: opts.connectionTimeoutMs ?? POSTGRES_DEFAULTS.connectionTimeoutMs,
      statement_timeout: statementTimeout,
      // A transaction left open by a vanished caller must not hold an owner's lock.
      idle_in_transaction_session_timeout: statementTimeout,
      // The client's own bound, for a server that stops answering mid-query.
      query_timeout: statementTimeout + 2_000,
      keepAlive: true,
      application_name: "rivya-mcp",
    });
    // An idle connection dropped by a restarting server is an event, not a crash.
    this.pool.on("error", () => {});
    const q = quoteIdent(this.schema);
    this.entries = `${q}.ledger_entries`;
    this.prices = `${q}.learned_prices`;
    this.uploads = `${q}.uploads`;
    this.secretsTable = `${q}.shared_secrets`;
  }

  /** Starts the migrations in the background; nothing waits for the database here. */
  static open(opts: PostgresStoreOptions): PostgresStore {
    const store = new PostgresStore(opts);
    store.ready().catch(() => {});
    return store;
  }

  /** Applies the migrations (under the migration lock); returns the versions applied. */
  static async migrate(opts: PostgresStoreOptions): Promise<number[]> {
    const store = new PostgresStore(opts);
    try {
      return await migrate(store.pool, store.schema);
    } finally {
      await store.pool.end();
    }
  }

  openIntent(entry: LedgerEntry, check?: SpendCheck): Promise<void> {
    return this.run(NOTHING_SENT, () => this.checkedInsert(entry, check));
  }

  /**
   * Most puts record what a paid create answered: a database restarting at that moment must
   * not lose the task id, so the write is retried (it is idempotent) for a while.
   */
  async put(entry: LedgerEntry): Promise<void> {
    const deadline = Date.now() + PUT_RETRY_MS;
    for (let pause = 100; ; pause = Math.min(pause * 2, 2_000)) {
      try {
        return await this.run("", () => this.mergedUpsert(entry));
      } catch (err) {
        if (this.closed || Date.now() + pause > deadline) throw err;
        await sleep(pause);
      }
    }
  }

  remove(owner: string, id: string): Promise<void> {
    return this.run("", async () => {
      await this.pool.query(`DELETE FROM ${this.entries} WHERE id = $1 AND owner = $2`, [
        id,
        owner,
      ]);
    });
  }

  entry(id: string): Promise<LedgerEntry | undefined> {
    return this.first(`SELECT entry FROM ${this.entries} WHERE id = $1`, [id]);
  }

  get(owner: string, idOrTaskId: string): Promise<LedgerEntry | undefined> {
    // The ledger id first, then the latest entry for the task id.
    return this.first(
      `SELECT entry FROM ${this.entries} WHERE owner = $1 AND (id = $2 OR task_id = $2)
       ORDER BY (id = $2) DESC, written DESC LIMIT 1`,
      [owner, idOrTaskId],
    );
  }

  findByClientRequestId(owner: string, clientRequestId: string) {
    return this.first(
      `SELECT entry FROM ${this.entries} WHERE owner = $1 AND client_request_id = $2
       ORDER BY written DESC LIMIT 1`,
      [owner, clientRequestId],
    );
  }

  list(owner: string, limit: number): Promise<LedgerEntry[]> {
    return this.run(NOTHING_SENT, async () => {
      const { rows } = await this.pool.query<EntryRow>(
        `SELECT entry FROM ${this.entries} WHERE owner = $1
         ORDER BY created_at DESC, written DESC LIMIT $2`,
        [owner, limit],
      );
      return rows.map((r) => r.entry);
    });
  }

  spentSince(owner: string, since: Date): Promise<number> {
    return this.run(NOTHING_SENT, () => this.spent(this.pool, owner, since));
  }

  learnedPrice(key: string): Promise<number | undefined> {
    return this.run(NOTHING_SENT, async () => {
      const { rows } = await this.pool.query<{ credits: number }>(
        `SELECT credits FROM ${this.prices} WHERE key = $1`,
        [key],
      );
      return rows[0]?.credits;
    });
  }

  learnPrice(key: string, credits: number): Promise<void> {
    return this.run("", async () => {
      await this.pool.query(
        `INSERT INTO ${this.prices} (key, credits) VALUES ($1, $2)
         ON CONFLICT (key) DO UPDATE SET credits = GREATEST(${this.prices}.credits, EXCLUDED.credits)`,
        [key, credits],
      );
    });
  }

  /** Expired uploads go with the next one: the table holds only files a provider may keep. */
  recordUpload(u: UploadRecord): Promise<void> {
    return this.run("", async () => {
      await this.pool.query(
        `WITH pruned AS (
           DELETE FROM ${this.uploads} WHERE expires_at < now() - interval '1 day')
         INSERT INTO ${this.uploads} (url, owner, provider, file_id, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (url) DO NOTHING`,
        [u.url, u.owner, u.provider, u.file_id, u.created_at, u.expires_at ?? null],
      );
    });
  }

  uploadOwner(url: string): Promise<string | undefined> {
    return this.run(NOTHING_SENT, async () => {
      const { rows } = await this.pool.query<{ owner: string }>(
        `SELECT owner FROM ${this.uploads} WHERE url = $1`,
        [url],
      );
      return rows[0]?.owner;
    });
  }

  /**
   * The first replica to ask inserts its candidate; everyone (that one included) then reads
   * what the table holds, so replicas racing on the first use all get the one winner.
   */
  sharedSecret(name: string): Promise<Buffer> {
    return this.secrets.get(name, () =>
      this.run("", async () => {
        await this.pool.query(
          `INSERT INTO ${this.secretsTable} (name, value) VALUES ($1, $2)
           ON CONFLICT (name) DO NOTHING`,
          [name, randomBytes(SECRET_BYTES)],
        );
        const { rows } = await this.pool.query<{ value: Buffer }>(
          `SELECT value FROM ${this.secretsTable} WHERE name = $1`,
          [name],
        );
        const value = rows[0]?.value;
        if (value?.length !== SECRET_BYTES)
          throw new Error(`shared secret ${name} is not ${SECRET_BYTES} bytes in the database`);
        return value;
      }),
    );
  }

  /** Throws when the database cannot be reached (or not migrated); for /healthz. */
  async ping(): Promise<void> {
    await this.ready();
    await this.pool.query("SELECT 1");
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.migrated?.catch(() => {});
    await this.pool.end();
  }

  /** The migrations, once; a failed attempt (database down) is retried by the next call. */
  private ready(): Promise<unknown> {
    this.migrated ??= migrate(this.pool, this.schema).catch((err: unknown) => {
      this.migrated = undefined;
      throw err;
    });
    return this.migrated;
  }

  /**
   * The check and the insert in one transaction under the owner's advisory lock: every
   * replica's intents for this owner queue here, so none can pass a budget another spent.
   * Under the same lock, a second intent for a client_request_id already in the ledger (the
   * same request sent to two replicas at once) is refused before it is written: the caller
   * retries and finds the first one's task, and the ledger holds the request once.
   */
  private checkedInsert(entry: LedgerEntry, check?: SpendCheck): Promise<void> {
    return this.transaction(async (client) => {
      await client.query("SELECT pg_advisory_xact_lock($1, hashtext($2))", [
        OWNER_LOCK,
        entry.owner,
      ]);
      const spent = await this.spent(client, entry.owner, startOfUtcDay(new Date()));
      try {
        await this.refuseDuplicate(client, entry);
        check?.(spent);
      } catch (refusal) {
        throw new CheckRefused(refusal);
      }
      await this.upsert(client, entry);
    });
  }

  /**
   * The put merged with the stored entry (see merge.ts), the row locked meanwhile: three
   * round trips more than a bare upsert, paid only when an entry changes (a poll that finds
   * nothing new writes nothing).
   */
  private mergedUpsert(entry: LedgerEntry): Promise<void> {
    return this.transaction(async (client) => {
      const { rows } = await client.query<EntryRow>(
        `SELECT entry FROM ${this.entries} WHERE id = $1 FOR UPDATE`,
        [entry.id],
      );
      await this.upsert(client, mergeForPut(rows[0]?.entry, entry));
    });
  }

  /** `work` in one transaction on one connection, rolled back if it throws. */
  private async transaction(work: (client: pg.PoolClient) => Promise<void>): Promise<void> {
    const client = await this.pool.connect();
    // A connection dropped between two statements would otherwise be an unhandled 'error'
    // event, which ends the process; the next statement fails and says so instead.
    client.on("error", ignore);
    let broken: unknown;
    try {
      await client.query("BEGIN");
      await work(client);
      await client.query("COMMIT");
    } catch (err) {
      // A refusal is an answer, not a fault: its connection is fine to reuse.
      if (!(err instanceof CheckRefused)) broken = err;
      await client.query("ROLLBACK").catch(() => {});
      throw err;
    } finally {
      // A connection that failed mid-transaction is discarded, not reused.
      client.off("error", ignore);
      client.release(broken instanceof Error ? broken : undefined);
    }
  }

  private async refuseDuplicate(db: Queryable, entry: LedgerEntry): Promise<void> {
    const { rows } = await db.query<{ entry: LedgerEntry }>(
      `SELECT entry FROM ${this.entries} WHERE owner = $1 AND client_request_id = $2 AND id <> $3
       LIMIT 1`,
      [entry.owner, entry.client_request_id, entry.id],
    );
    const existing = rows[0]?.entry;
    if (existing) throw new DuplicateRequestError(existing);
  }

  private async spent(db: Queryable, owner: string, since: Date): Promise<number> {
    const { rows } = await db.query<{ spent: number }>(
      `SELECT COALESCE(sum(budget_cost), 0)::float8 AS spent FROM ${this.entries}
       WHERE owner = $1 AND created_at >= $2`,
      [owner, since.toISOString()],
    );
    return rows[0]?.spent ?? 0;
  }

  /** Insert, or replace by id (a put merges with the stored entry first: see mergedUpsert). */
  private async upsert(db: Queryable, e: LedgerEntry): Promise<void> {
    await db.query(
      `INSERT INTO ${this.entries} (id, owner, client_request_id, task_id, state, status,
         quote_credits, reserved_credits, final_credits, created_at, updated_at, written, entry)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11,
         nextval('${this.schemaSeq()}'), $12)
       ON CONFLICT (id) DO UPDATE SET owner = EXCLUDED.owner,
         client_request_id = EXCLUDED.client_request_id, task_id = EXCLUDED.task_id,
         state = EXCLUDED.state, status = EXCLUDED.status,
         quote_credits = EXCLUDED.quote_credits, reserved_credits = EXCLUDED.reserved_credits,
         final_credits = EXCLUDED.final_credits, created_at = EXCLUDED.created_at,
         updated_at = EXCLUDED.updated_at, written = EXCLUDED.written, entry = EXCLUDED.entry`,
      [
        e.id,
        e.owner,
        e.client_request_id,
        e.task_id,
        e.state,
        e.status,
        e.quote_credits,
        e.reserved_credits,
        e.final_credits,
        e.created_at,
        e.updated_at,
        JSON.stringify(e),
      ],
    );
  }

  private schemaSeq(): string {
    return `${quoteIdent(this.schema).replaceAll("'", "''")}.ledger_write_seq`;
  }

  private first(sql: string, params: unknown[]): Promise<LedgerEntry | undefined> {
    return this.run(NOTHING_SENT, async () => {
      const { rows } = await this.pool.query<EntryRow>(sql, params);
      return rows[0]?.entry;
    });
  }

  /** After the migrations; a database failure becomes a clear, retryable tool error. */
  private async run<T>(consequence: string, work: () => Promise<T>): Promise<T> {
    if (this.closed) throw new Error("the ledger is closed");
    try {
      await this.ready();
      return await work();
    } catch (err) {
      if (err instanceof CheckRefused) throw err.refusal;
      throw unavailable(err, consequence);
    }
  }
}

function ignore(): void {}

type Queryable = Pick<pg.Pool, "query"> | pg.PoolClient;

/** Carries a budget refusal past the database error handling untouched. */
class CheckRefused extends Error {
  constructor(readonly refusal: unknown) {
    super("refused by the spend check");
  }
}

function unavailable(err: unknown, consequence: string): ToolError {
  const reason = err instanceof Error ? err.message : String(err);
  const then = consequence ? ` ${consequence}` : "";
  const error = new ToolError(
    `The task ledger's database (PostgreSQL) could not be used: ${reason}.${then} Retry in a few seconds.`,
    "upstream_unavailable",
    true,
    5,
  );
  error.cause = err;
  return error;
}
