/** PostgresStore on its own: migrations under concurrency, laziness, and failures it reports. */

import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { ToolError } from "../../src/errors/tool-error.js";
import { chooseStore, storeHealth, storeSecrets } from "../../src/store/index.js";
import { LATEST_VERSION, MIGRATIONS } from "../../src/store/postgres-migrations.js";
import { PostgresStore, splitSchema } from "../../src/store/postgres-store.js";
import { DuplicateRequestError } from "../../src/store/types.js";
import { intent } from "../fixtures/ledger-entries.js";
import {
  dropSchema,
  postgresUnavailable,
  TEST_DATABASE_URL,
  uniqueSchema,
} from "../helpers/postgres.js";

const skip = (await postgresUnavailable()) !== undefined;
/** Nothing listens on port 1: connections are refused at once. */
const DEAD_URL = "postgres://postgres@127.0.0.1:1/test";

const schemas: string[] = [];
const stores: PostgresStore[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
  await Promise.all(schemas.splice(0).map(dropSchema));
});
const schema = () => {
  const name = uniqueSchema();
  schemas.push(name);
  return name;
};

async function sql<T extends pg.QueryResultRow>(text: string, params: unknown[] = []) {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    return (await client.query<T>(text, params)).rows;
  } finally {
    await client.end();
  }
}

describe.skipIf(skip)("PostgreSQL migrations", () => {
  it("eight replicas starting at once: one applies each migration, all end up current", async () => {
    const name = schema();
    const runs = await Promise.all(
      Array.from({ length: 8 }, () =>
        PostgresStore.migrate({ url: TEST_DATABASE_URL, schema: name }),
      ),
    );
    expect(runs.flat().sort()).toEqual(MIGRATIONS.map((m) => m.version));
    expect(runs.filter((r) => r.length > 0)).toHaveLength(1);
    const rows = await sql<{ version: number }>(
      `SELECT version FROM "${name}".schema_migrations ORDER BY version`,
    );
    expect(rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
    expect(rows.at(-1)?.version).toBe(LATEST_VERSION);
  });

  it("stores opened together migrate once and serve at once", async () => {
    const name = schema();
    const opened = Array.from({ length: 4 }, () =>
      PostgresStore.open({ url: TEST_DATABASE_URL, schema: name, poolSize: 2 }),
    );
    stores.push(...opened);
    await Promise.all(opened.map((s, n) => s.openIntent(intent(n))));
    expect(await opened[0]?.list("local", 10)).toHaveLength(4);
  });

  it("refuses a schema migrated by a newer rivya-mcp, and says so", async () => {
    const name = schema();
    await PostgresStore.migrate({ url: TEST_DATABASE_URL, schema: name });
    await sql(`INSERT INTO "${name}".schema_migrations (version, name) VALUES (999, 'future')`);
    await expect(PostgresStore.migrate({ url: TEST_DATABASE_URL, schema: name })).rejects.toThrow(
      `at version 999, newer than this rivya-mcp knows (${LATEST_VERSION}): upgrade rivya-mcp`,
    );
    const store = PostgresStore.open({ url: TEST_DATABASE_URL, schema: name });
    stores.push(store);
    await expect(store.get("local", "gen_1")).rejects.toThrow("upgrade rivya-mcp");
  });

  it("?schema= in the URL picks the schema and is not passed on to the server", async () => {
    const name = schema();
    const url = `${TEST_DATABASE_URL}?schema=${name}`;
    expect(splitSchema(url)).toEqual({ url: TEST_DATABASE_URL, schema: name });
    const store = PostgresStore.open({ url });
    stores.push(store);
    await store.learnPrice("k", 5);
    expect(await sql(`SELECT key, credits FROM "${name}".learned_prices`)).toEqual([
      { key: "k", credits: 5 },
    ]);
  });
});

describe("PostgreSQL unreachable", () => {
  it("open waits for nothing; a write fails with a clear, retryable error that names the cause", async () => {
    const store = PostgresStore.open({ url: DEAD_URL, schema: "never_made" });
    stores.push(store);
    const failure = await store.openIntent(intent(1), () => {}).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(ToolError);
    expect(failure).toMatchObject({ category: "upstream_unavailable", retryable: true });
    expect((failure as Error).message).toMatch(
      /^The task ledger's database \(PostgreSQL\) could not be used: connect ECONNREFUSED 127\.0\.0\.1:1\. This call submitted nothing and charged nothing\. Retry in a few seconds\.$/,
    );
    await expect(storeHealth(store).check()).rejects.toThrow("ECONNREFUSED");
    expect(storeHealth(store).kind).toBe("postgres");
  });

  it.skipIf(skip)(
    "a second intent for an open client_request_id is refused, retryably, and not written",
    async () => {
      const store = PostgresStore.open({ url: TEST_DATABASE_URL, schema: schema() });
      stores.push(store);
      await store.openIntent(intent(1));
      const twin = intent(2, { client_request_id: "req-1" });
      const refusal = await store.openIntent(twin, () => {}).catch((err: unknown) => err);
      expect(refusal).toBeInstanceOf(DuplicateRequestError);
      expect((refusal as DuplicateRequestError).existing.id).toBe("gen_1");
      expect(await store.get("local", "gen_2")).toBeUndefined();
      expect((await store.findByClientRequestId("local", "req-1"))?.id).toBe("gen_1");
      // Rewriting the same intent (same id) is not a duplicate.
      await store.openIntent(intent(1, { quote_credits: 100 }));
      expect(await store.spentSince("local", new Date(0))).toBe(100);
    },
  );

  it.skipIf(skip)("a budget refusal passes through untouched", async () => {
    const store = PostgresStore.open({ url: TEST_DATABASE_URL, schema: schema() });
    stores.push(store);
    const refusal = new ToolError("over budget", "insufficient_credits", false);
    await expect(
      store.openIntent(intent(1), () => {
        throw refusal;
      }),
    ).rejects.toBe(refusal);
  });
});

describe("choosing the store", () => {
  it("--store beats the environment; neither (or 'file') is the file ledger; bad values are named", () => {
    expect(chooseStore(undefined, undefined, "/s")).toEqual({
      kind: "file",
      path: "/s/ledger.jsonl",
    });
    expect(chooseStore("file", "postgres://h/db", "/s").kind).toBe("file");
    expect(chooseStore(undefined, "postgresql://h/db", "/s")).toEqual({
      kind: "postgres",
      url: "postgresql://h/db",
    });
    expect(() => chooseStore("mysql://h/db", undefined, "/s")).toThrow(
      /^--store must be a PostgreSQL URL \(postgres:\/\/user:password@host:5432\/database/,
    );
    expect(() => chooseStore(undefined, "db.example", "/s")).toThrow(
      /^RIVYA_MCP_DATABASE_URL must be a PostgreSQL URL/,
    );
  });

  it("the database password is handed to the logger to scrub", () => {
    expect(storeSecrets({ kind: "postgres", url: "postgres://u:p%40ss@h/db" })).toEqual(["p@ss"]);
    expect(storeSecrets({ kind: "postgres", url: "postgres://u@h/db" })).toEqual([]);
    expect(storeSecrets({ kind: "file", path: "/x" })).toEqual([]);
  });
});
