/**
 * The PostgreSQL store's schema, as numbered migrations applied in order. A migration is
 * never edited once released: a change is a new one. Replicas starting together take one
 * session advisory lock per schema, so exactly one of them migrates and the others find the
 * work done.
 */
import type { Pool, PoolClient } from "pg";

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "ledger and learned prices",
    // Columns for what is queried; the entry itself as jsonb, returned as written.
    // `written` orders writes (last write wins for a client_request_id or task id).
    sql: `
      CREATE SEQUENCE ledger_write_seq;
      CREATE TABLE ledger_entries (
        id text PRIMARY KEY,
        owner text NOT NULL,
        client_request_id text NOT NULL,
        task_id text,
        state text NOT NULL,
        status text,
        quote_credits double precision NOT NULL,
        reserved_credits double precision NOT NULL,
        final_credits double precision NOT NULL,
        net_credits double precision GENERATED ALWAYS AS (
          CASE WHEN state = 'submitting' THEN quote_credits
               WHEN status = 'failed' THEN final_credits
               ELSE reserved_credits END
        ) STORED,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        written bigint NOT NULL,
        entry jsonb NOT NULL
      );
      CREATE INDEX ledger_owner_created ON ledger_entries (owner, created_at DESC, written DESC);
      CREATE INDEX ledger_owner_request ON ledger_entries (owner, client_request_id, written DESC);
      CREATE INDEX ledger_task ON ledger_entries (task_id, written DESC) WHERE task_id IS NOT NULL;
      CREATE TABLE learned_prices (
        key text PRIMARY KEY,
        credits double precision NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: "budgets in one unit across providers",
    // An entry's net cost times its budget rate (dollars per credit when budgets are in
    // dollars; 1 when they are in the one provider's credits), as budgetCost() computes it.
    // net_credits stays: replicas of the previous release still read it during a rollout.
    sql: `
      ALTER TABLE ledger_entries ADD COLUMN budget_cost double precision GENERATED ALWAYS AS (
        (CASE WHEN state = 'submitting' THEN quote_credits
              WHEN status = 'failed' THEN final_credits
              ELSE reserved_credits END)
        * COALESCE((entry->>'budget_rate')::double precision, 1)
      ) STORED;
    `,
  },
  {
    version: 3,
    name: "upload owners and shared secrets",
    // uploads: whose each file uploaded through upload_reference is (the first record of a
    // URL stands); rows a day past their expires_at are pruned as new uploads arrive.
    // shared_secrets: 32 random bytes per name, made once for every replica (what one
    // signs, another verifies).
    sql: `
      CREATE TABLE uploads (
        url text PRIMARY KEY,
        owner text NOT NULL,
        provider text NOT NULL,
        file_id text NOT NULL,
        created_at timestamptz NOT NULL,
        expires_at timestamptz
      );
      CREATE INDEX uploads_expires ON uploads (expires_at) WHERE expires_at IS NOT NULL;
      CREATE TABLE shared_secrets (
        name text PRIMARY KEY,
        value bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
    `,
  },
];

/** The advisory lock class for migrations (the key is the schema's hash). */
const MIGRATION_LOCK = 0x52564d44;

export const LATEST_VERSION = Math.max(...MIGRATIONS.map((m) => m.version));

/**
 * Brings `schema` up to the latest version; returns the versions this call applied. Refuses
 * a database already migrated by a newer rivya-mcp rather than write to a schema it does not know.
 */
export async function migrate(pool: Pool, schema: string): Promise<number[]> {
  const client = await pool.connect();
  // A dropped connection must fail the migration, not end the process with an 'error' event.
  const ignore = () => {};
  client.on("error", ignore);
  try {
    await client.query("SELECT pg_advisory_lock($1, hashtext($2))", [MIGRATION_LOCK, schema]);
    try {
      return await migrateLocked(client, schema);
    } finally {
      await client.query("SELECT pg_advisory_unlock($1, hashtext($2))", [MIGRATION_LOCK, schema]);
    }
  } finally {
    client.off("error", ignore);
    client.release();
  }
}

async function migrateLocked(client: PoolClient, schema: string): Promise<number[]> {
  const quoted = quoteIdent(schema);
  await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoted}`);
  await client.query(
    `CREATE TABLE IF NOT EXISTS ${quoted}.schema_migrations (
       version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
  );
  const { rows } = await client.query<{ version: number }>(
    `SELECT version FROM ${quoted}.schema_migrations`,
  );
  const applied = new Set(rows.map((r) => r.version));
  const newest = Math.max(0, ...applied);
  if (newest > LATEST_VERSION)
    throw new Error(
      `the database schema "${schema}" is at version ${newest}, newer than this rivya-mcp knows (${LATEST_VERSION}): upgrade rivya-mcp`,
    );
  const done: number[] = [];
  for (const m of MIGRATIONS) {
    if (applied.has(m.version)) continue;
    await client.query("BEGIN");
    try {
      await client.query(`SET LOCAL search_path TO ${quoted}`);
      await client.query(m.sql);
      await client.query(
        `INSERT INTO ${quoted}.schema_migrations (version, name) VALUES ($1, $2)`,
        [m.version, m.name],
      );
      await client.query("COMMIT");
    } catch (err) {
      await client.query("ROLLBACK").catch(() => {});
      throw err;
    }
    done.push(m.version);
  }
  return done;
}

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
