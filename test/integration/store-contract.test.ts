/**
 * One contract, both stores: whatever the embedded file ledger promises, PostgreSQL keeps.
 * "Another instance" is a second FileStore on the same file, or a second PostgresStore (its
 * own pool, as a replica would have) on the same schema.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { FileStore } from "../../src/store/file-store.js";
import { PostgresStore } from "../../src/store/postgres-store.js";
import {
  type LedgerEntry,
  type Store,
  startOfUtcDay,
  type UploadRecord,
} from "../../src/store/types.js";
import { ledgerEntry as entry, intent } from "../fixtures/ledger-entries.js";
import {
  dropSchema,
  postgresUnavailable,
  TEST_DATABASE_URL,
  uniqueSchema,
} from "../helpers/postgres.js";

interface Backend {
  /** A new instance on the same data (a reopen, or another replica). */
  instance(): Promise<Store>;
  cleanup(): Promise<void>;
}

const fileBackend = async (): Promise<Backend> => {
  const dir = await mkdtemp(join(tmpdir(), "rivya-contract-"));
  return {
    instance: () => FileStore.open({ path: join(dir, "ledger.jsonl") }),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
};

const postgresBackend = async (): Promise<Backend> => {
  const schema = uniqueSchema();
  return {
    instance: async () => PostgresStore.open({ url: TEST_DATABASE_URL, schema, poolSize: 4 }),
    cleanup: () => dropSchema(schema),
  };
};

const skipPostgres = (await postgresUnavailable()) !== undefined;

const backends = [
  { name: "file", make: fileBackend, skip: false },
  { name: "postgres", make: postgresBackend, skip: skipPostgres },
];

/**
 * Today's date for entries the budget check must see: a second ago, but never before the
 * start of the UTC day (a run in the first second after midnight would date them yesterday).
 */
const upload = (n: number, overrides: Partial<UploadRecord> = {}): UploadRecord => ({
  owner: "alice",
  url: `https://files.example/u/${n}.png`,
  provider: "rivya",
  file_id: `file_${n}`,
  created_at: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(),
  ...overrides,
});

const today = (n: number, overrides: Partial<LedgerEntry> = {}) => {
  const midnight = startOfUtcDay(new Date()).getTime();
  const at = new Date(Math.max(Date.now() - 1000, midnight) + n).toISOString();
  return { created_at: at, updated_at: at, ...overrides };
};

describe.each(backends)("store contract: $name", ({ make, skip }) => {
  let backend: Backend;
  const open: Store[] = [];
  const instance = async () => {
    const store = await backend.instance();
    open.push(store);
    return store;
  };
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
    await backend?.cleanup();
  });
  const fresh = async () => {
    backend = await make();
    return instance();
  };

  it.skipIf(skip)(
    "keeps the latest state per id, newest first, found by id or task id",
    async () => {
      const s = await fresh();
      await s.put(entry(1));
      await s.put(entry(2));
      await s.put(
        entry(1, { status: "succeeded", final_credits: 90, result_urls: ["https://x/1.mp4"] }),
      );
      const other = await instance();
      expect((await other.list("local", 10)).map((e) => [e.id, e.status])).toEqual([
        ["gen_2", "queued"],
        ["gen_1", "succeeded"],
      ]);
      expect(await other.list("local", 1)).toEqual([entry(2)]);
      expect((await other.get("local", "task_1"))?.result_urls).toEqual(["https://x/1.mp4"]);
      expect((await other.get("local", "gen_2"))?.task_id).toBe("task_2");
      expect(await other.get("someone-else", "gen_1")).toBeUndefined();
      expect(await other.get("local", "gen_9")).toBeUndefined();
      expect(await other.list("someone-else", 10)).toEqual([]);
    },
  );

  it.skipIf(skip)(
    "a writer's stale copy never undoes what another recorded (task, finish, marks)",
    async () => {
      const s = await fresh();
      const other = await instance();
      await s.openIntent(intent(1));
      // The create's record lands on one instance while tasks/cancel, holding the intent it
      // read before, writes its mark on another.
      await other.put(entry(1));
      await s.put({ ...intent(1), cancelled_at: "2026-01-01T00:01:00.000Z" });
      expect(await other.findByClientRequestId("local", "req-1")).toMatchObject({
        state: "created",
        task_id: "task_1",
        status: "queued",
        cancelled_at: "2026-01-01T00:01:00.000Z",
      });
      // A poll that read "processing" writes after one that recorded the finished video.
      const done = {
        status: "succeeded" as const,
        final_credits: 90,
        result_urls: ["https://x/1.mp4"],
      };
      await other.put(entry(1, { ...done, saved_path: "/videos/1.mp4" }));
      await s.put(entry(1, { status: "processing" }));
      expect(await other.get("local", "task_1")).toMatchObject({
        ...done,
        saved_path: "/videos/1.mp4",
        cancelled_at: "2026-01-01T00:01:00.000Z",
      });
      // Forward changes still go through.
      await s.put(entry(2, { status: "processing" }));
      await s.put(entry(2, { status: "failed", error: { code: "x", message: "y" } }));
      expect((await other.get("local", "task_2"))?.status).toBe("failed");
    },
  );

  it.skipIf(skip)(
    "an intent becomes its task: by client_request_id before, by task id after",
    async () => {
      const s = await fresh();
      await s.openIntent(intent(1));
      expect(await s.findByClientRequestId("local", "req-1")).toEqual(intent(1));
      expect(await s.findByClientRequestId("someone-else", "req-1")).toBeUndefined();
      expect(await s.get("local", "task_1")).toBeUndefined();
      expect(await s.spentSince("local", new Date(0))).toBe(90);
      await s.put(entry(1, { reserved_credits: 120 }));
      expect((await s.get("local", "task_1"))?.state).toBe("created");
      expect(await s.spentSince("local", new Date(0))).toBe(120);
    },
  );

  it.skipIf(skip)("entry() finds the latest state by ledger id alone (callbacks)", async () => {
    const s = await fresh();
    await s.put(entry(1, { owner: "bob", callback_token: "t".repeat(32) }));
    await s.put(entry(1, { owner: "bob", callback_token: "t".repeat(32), status: "succeeded" }));
    const other = await instance();
    expect(await other.entry("gen_1")).toMatchObject({ owner: "bob", status: "succeeded" });
    expect((await other.entry("gen_1"))?.callback_token).toBe("t".repeat(32));
    expect(await other.entry("task_1")).toBeUndefined();
    expect(await other.entry("gen_9")).toBeUndefined();
  });

  it.skipIf(skip)("remove forgets only the owner's entry, for every instance", async () => {
    const s = await fresh();
    await s.openIntent(intent(1));
    await s.openIntent(intent(2));
    await s.remove("someone-else", "gen_1");
    expect(await s.get("local", "gen_1")).toMatchObject({ id: "gen_1" });
    expect(await (await instance()).get("local", "gen_1")).toMatchObject({ id: "gen_1" });
    await s.remove("local", "gen_1");
    const other = await instance();
    expect(await other.get("local", "gen_1")).toBeUndefined();
    expect(await other.findByClientRequestId("local", "req-1")).toBeUndefined();
    expect((await other.list("local", 10)).map((e) => e.id)).toEqual(["gen_2"]);
    expect(await other.spentSince("local", new Date(0))).toBe(90);
  });

  it.skipIf(skip)("spend counts each entry's net cost from `since` on, per owner", async () => {
    const s = await fresh();
    await s.openIntent(intent(1, { quote_credits: 70 }));
    await s.put(entry(2, { reserved_credits: 100 }));
    await s.put(entry(3, { status: "failed", reserved_credits: 160, final_credits: 0 }));
    await s.put(entry(4, { status: "succeeded", reserved_credits: 90, final_credits: 90 }));
    await s.put(entry(5, { owner: "bob", reserved_credits: 500 }));
    expect(await s.spentSince("local", new Date(0))).toBe(70 + 100 + 0 + 90);
    // Entry n is created n seconds into 2026: from second 2 on.
    expect(await s.spentSince("local", new Date(Date.UTC(2026, 0, 1, 0, 0, 2)))).toBe(190);
    expect(await s.spentSince("bob", new Date(0))).toBe(500);
    expect(await s.spentSince("nobody", new Date(0))).toBe(0);
  });

  it.skipIf(skip)("spend counts each entry at its budget rate (dollars per credit)", async () => {
    const s = await fresh();
    await s.put(entry(1, { reserved_credits: 90, budget_rate: 0.01 }));
    await s.openIntent(intent(2, { quote_credits: 27, budget_rate: 0.5 }));
    await s.put(entry(3, { reserved_credits: 10 }));
    expect(await s.spentSince("local", new Date(0))).toBeCloseTo(0.9 + 13.5 + 10);
  });

  it.skipIf(skip)("a learned price keeps the highest reservation seen", async () => {
    const s = await fresh();
    expect(await s.learnedPrice("rivya|kling")).toBeUndefined();
    await s.learnPrice("rivya|kling", 120);
    await s.learnPrice("rivya|kling", 100);
    await s.learnPrice("rivya|other", 7);
    const other = await instance();
    expect(await other.learnedPrice("rivya|kling")).toBe(120);
    await other.learnPrice("rivya|kling", 130);
    expect(await s.learnedPrice("rivya|kling")).toBe(130);
    expect(await s.learnedPrice("rivya|other")).toBe(7);
  });

  it.skipIf(skip)("a check that throws writes nothing; the check sees today's spend", async () => {
    const s = await fresh();
    await s.put(entry(1, today(1)));
    await s.put(entry(2, today(2, { owner: "bob" })));
    const seen: number[] = [];
    const refuse = (spent: number) => {
      seen.push(spent);
      throw new Error("over budget");
    };
    await expect(s.openIntent(intent(3, today(3)), refuse)).rejects.toThrow("over budget");
    expect(seen).toEqual([90]);
    expect(await s.get("local", "gen_3")).toBeUndefined();
    await s.openIntent(intent(3, today(3)), (spent) => seen.push(spent));
    expect(seen).toEqual([90, 90]);
    expect((await s.get("local", "gen_3"))?.state).toBe("submitting");
  });

  it.skipIf(skip)(
    "40 concurrent budget-checked intents from 4 instances never overspend",
    async () => {
      const first = await fresh();
      const stores = [first, await instance(), await instance(), await instance()];
      const budget = 900;
      const check = (quote: number) => (spent: number) => {
        if (spent + quote > budget) throw new Error("over budget");
      };
      const results = await Promise.allSettled(
        Array.from({ length: 40 }, (_, n) =>
          (stores[n % stores.length] as Store).openIntent(intent(n, today(n)), check(90)),
        ),
      );
      const accepted = results.filter((r) => r.status === "fulfilled").length;
      const refused = results.filter(
        (r) => r.status === "rejected" && String(r.reason).includes("over budget"),
      ).length;
      expect([accepted, refused]).toEqual([10, 30]);
      expect(await first.spentSince("local", startOfUtcDay(new Date()))).toBe(900);
      expect(await first.list("local", 100)).toHaveLength(10);
    },
  );

  it.skipIf(skip)("cancelled_at is kept through put and get, by every instance", async () => {
    const s = await fresh();
    const cancelledAt = "2026-01-01T00:01:00.000Z";
    await s.put(entry(1, { cancelled_at: cancelledAt }));
    const other = await instance();
    expect((await other.get("local", "gen_1"))?.cancelled_at).toBe(cancelledAt);
    expect((await other.list("local", 1))[0]?.cancelled_at).toBe(cancelledAt);
    await other.put(entry(1, { cancelled_at: cancelledAt, status: "succeeded" }));
    expect(await s.get("local", "task_1")).toMatchObject({
      status: "succeeded",
      cancelled_at: cancelledAt,
    });
  });

  it.skipIf(skip)("an upload's owner is whoever recorded its URL first", async () => {
    const s = await fresh();
    await s.recordUpload(upload(1));
    await s.recordUpload(upload(2, { owner: "bob", expires_at: "2099-01-01T00:00:00.000Z" }));
    // Nobody takes over a file by recording it again.
    await s.recordUpload(upload(1, { owner: "bob" }));
    const other = await instance();
    expect(await other.uploadOwner(upload(1).url)).toBe("alice");
    expect(await other.uploadOwner(upload(2).url)).toBe("bob");
    expect(await other.uploadOwner("https://files.example/u/9.png")).toBeUndefined();
    await other.recordUpload(upload(3, { owner: "local" }));
    // The ledger's other answers are untouched by uploads.
    expect(await other.list("alice", 10)).toEqual([]);
    expect(await s.uploadOwner(upload(3).url)).toBe("local");
    expect(await s.uploadOwner(upload(1).url)).toBe("alice");
  });

  it.skipIf(skip)(
    "a shared secret is 32 bytes made once: every instance gets the same, names differ",
    async () => {
      const first = await fresh();
      const stores = [first, await instance(), await instance()];
      // All ask at once, before any of them made it: one value wins everywhere.
      const racing = await Promise.all(stores.map((s) => s.sharedSecret("request-state")));
      for (const secret of racing) {
        expect(secret).toHaveLength(32);
        expect(secret.equals(racing[0] as Buffer)).toBe(true);
      }
      const later = await instance();
      expect((await later.sharedSecret("request-state")).equals(racing[0] as Buffer)).toBe(true);
      const other = await later.sharedSecret("another-use");
      expect(other).toHaveLength(32);
      expect(other.equals(racing[0] as Buffer)).toBe(false);
      // A caller that scribbles on its copy changes nobody's secret.
      other.fill(0);
      expect((await later.sharedSecret("another-use")).equals(other)).toBe(false);
      await expect(first.sharedSecret("../ledger")).rejects.toThrow(/name/);
    },
  );
});
