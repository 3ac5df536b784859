import { appendFile, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FileStore } from "../../src/store/file-store.js";
import { startOfUtcDay } from "../../src/store/types.js";
import { ledgerEntry as entry, intent } from "../fixtures/ledger-entries.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "rivya-ledger-"));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const lineCount = async (path: string) => (await readFile(path, "utf8")).trim().split("\n").length;

describe("file ledger", () => {
  it("survives a reopen with the latest state per entry, newest first", async () => {
    const path = join(dir, "ledger.jsonl");
    const a = await FileStore.open({ path });
    await a.put(entry(1));
    await a.put(entry(2));
    await a.put(
      entry(1, { status: "succeeded", final_credits: 90, result_urls: ["https://x/1.mp4"] }),
    );
    await a.close();
    const b = await FileStore.open({ path });
    const list = await b.list("local", 10);
    expect(list.map((e) => [e.id, e.status])).toEqual([
      ["gen_2", "queued"],
      ["gen_1", "succeeded"],
    ]);
    expect((await b.findByClientRequestId("local", "req-2"))?.id).toBe("gen_2");
    expect((await b.get("local", "task_1"))?.id).toBe("gen_1");
    expect((await b.get("local", "gen_1"))?.task_id).toBe("task_1");
  });

  it("an intent becomes its task: found by crid before, by task id after", async () => {
    const s = await FileStore.open({ path: join(dir, "l.jsonl") });
    await s.openIntent(intent(1));
    expect((await s.findByClientRequestId("local", "req-1"))?.state).toBe("submitting");
    expect(await s.get("local", "task_1")).toBeUndefined();
    expect(await s.spentSince("local", new Date(0))).toBe(90);
    await s.put(entry(1, { reserved_credits: 120 }));
    expect((await s.get("local", "task_1"))?.state).toBe("created");
    expect(await s.spentSince("local", new Date(0))).toBe(120);
  });

  it("remove writes a tombstone that outlives a reopen", async () => {
    const path = join(dir, "l.jsonl");
    const s = await FileStore.open({ path });
    await s.openIntent(intent(1));
    await s.openIntent(intent(2));
    await s.remove("someone-else", "gen_1");
    await s.remove("local", "gen_1");
    await s.close();
    expect(await readFile(path, "utf8")).toContain('"kind":"removed"');
    const t = await FileStore.open({ path });
    expect(await t.get("local", "gen_1")).toBeUndefined();
    expect(await t.findByClientRequestId("local", "req-1")).toBeUndefined();
    expect((await t.list("local", 10)).map((e) => e.id)).toEqual(["gen_2"]);
    expect(await t.spentSince("local", new Date(0))).toBe(90);
  });

  it("an intent with a check that throws writes nothing", async () => {
    const path = join(dir, "l.jsonl");
    const s = await FileStore.open({ path });
    await s.openIntent(intent(1));
    const seen: number[] = [];
    const refuse = (spent: number) => {
      seen.push(spent);
      throw new Error("over budget");
    };
    // The check sees today's spend, so give the entries today's date.
    const now = new Date().toISOString();
    await s.put(entry(3, { created_at: now }));
    await expect(s.openIntent(intent(2, { created_at: now }), refuse)).rejects.toThrow(
      "over budget",
    );
    expect(seen).toEqual([90]);
    expect(await s.findByClientRequestId("local", "req-2")).toBeUndefined();
    await s.close();
    expect(await lineCount(path)).toBe(2);
  });

  it("learned prices keep the highest and survive a reopen", async () => {
    const path = join(dir, "l.jsonl");
    const s = await FileStore.open({ path });
    expect(await s.learnedPrice("rivya|kling-3-0|15s")).toBeUndefined();
    await s.learnPrice("rivya|kling-3-0|15s", 270);
    await s.learnPrice("rivya|kling-3-0|15s", 90);
    await s.learnPrice("rivya|kling-3-0|5s", 90);
    await s.close();
    expect(await lineCount(path)).toBe(2);
    const t = await FileStore.open({ path });
    expect(await t.learnedPrice("rivya|kling-3-0|15s")).toBe(270);
    expect(await t.learnedPrice("rivya|kling-3-0|5s")).toBe(90);
  });

  it("recovers from a write torn mid-line without losing earlier entries", async () => {
    const path = join(dir, "ledger.jsonl");
    const a = await FileStore.open({ path });
    for (let n = 1; n <= 5; n++) await a.put(entry(n));
    await a.close();
    // Simulate a crash halfway through writing entry 6.
    const line = JSON.stringify(entry(6));
    await appendFile(path, line.slice(0, Math.floor(line.length / 2)));
    const b = await FileStore.open({ path });
    expect((await b.list("local", 10)).map((e) => e.id)).toEqual([
      "gen_5",
      "gen_4",
      "gen_3",
      "gen_2",
      "gen_1",
    ]);
    await b.put(entry(7));
    expect(b.skippedLines).toBe(1);
    await b.close();
    const c = await FileStore.open({ path });
    expect(await c.get("local", "task_7")).toBeDefined();
    expect((await c.list("local", 10)).length).toBe(6);
    expect(c.skippedLines).toBe(1);
  });

  it("keeps owners apart", async () => {
    const s = await FileStore.open({ path: join(dir, "l.jsonl") });
    await s.put(entry(1, { owner: "ana" }));
    await s.put(entry(2, { owner: "ben" }));
    expect(await s.get("ben", "task_1")).toBeUndefined();
    expect(await s.get("ben", "gen_1")).toBeUndefined();
    expect((await s.list("ana", 10)).map((e) => e.id)).toEqual(["gen_1"]);
    expect(await s.findByClientRequestId("ben", "req-1")).toBeUndefined();
    expect(await s.spentSince("ana", new Date(0))).toBe(90);
  });

  it("counts refunds of failed tasks back and open intents at their quote", async () => {
    const s = await FileStore.open({ path: join(dir, "l.jsonl") });
    await s.put(entry(1));
    await s.put(entry(2, { status: "failed", final_credits: 0 }));
    await s.put(entry(3, { status: "succeeded", final_credits: 90 }));
    await s.openIntent(intent(4, { quote_credits: 45 }));
    expect(await s.spentSince("local", new Date(0))).toBe(225);
    expect(await s.spentSince("local", new Date(Date.UTC(2026, 0, 1, 0, 0, 3)))).toBe(135);
  });

  it("stays bounded: compaction prunes the oldest finished entries, never unfinished ones", async () => {
    const path = join(dir, "l.jsonl");
    const s = await FileStore.open({ path, maxEntries: 50 });
    await s.put(entry(0)); // unfinished, oldest
    await s.openIntent(intent(1)); // outcome unknown, oldest but one
    for (let n = 2; n <= 300; n++)
      await s.put(entry(n, { status: "succeeded", final_credits: 90 }));
    await s.close();
    expect(await lineCount(path)).toBeLessThanOrEqual(100);
    const reopened = await FileStore.open({ path, maxEntries: 50 });
    expect(await reopened.get("local", "task_0")).toBeDefined();
    expect(await reopened.findByClientRequestId("local", "req-1")).toBeDefined();
    expect(await reopened.get("local", "task_300")).toBeDefined();
    expect(await reopened.get("local", "task_2")).toBeUndefined();
  });

  it("a large existing ledger is not rewritten by the first writes after a start", async () => {
    const path = join(dir, "l.jsonl");
    const old = Array.from({ length: 300 }, (_, n) =>
      JSON.stringify(entry(n, { status: "succeeded", final_credits: 90 })),
    );
    await writeFile(path, `${old.join("\n")}\n`);
    const s = await FileStore.open({ path, maxEntries: 50 });
    await s.put(entry(300));
    expect((await s.list("local", 1000)).length).toBe(301); // loaded now
    await s.put(entry(301));
    await s.close();
    const lines = (await readFile(path, "utf8")).trim().split("\n");
    expect(lines.length).toBe(302);
    expect(lines[0]).toBe(old[0]);
  });

  it("never prunes recent entries, so today's spend (budgets) stays complete", async () => {
    const path = join(dir, "l.jsonl");
    const s = await FileStore.open({ path, maxEntries: 10 });
    const now = new Date().toISOString();
    for (let n = 1; n <= 60; n++) {
      await s.put(entry(n, { status: "succeeded", final_credits: 90, created_at: now }));
    }
    await s.close();
    const reopened = await FileStore.open({ path, maxEntries: 10 });
    expect((await reopened.list("local", 100)).length).toBe(60);
    expect(await reopened.spentSince("local", startOfUtcDay(new Date()))).toBe(60 * 90);
  });

  it("answers the first calls and takes writes before the load, which then reads them back", async () => {
    const path = join(dir, "l.jsonl");
    const today = new Date().toISOString();
    const seed = await FileStore.open({ path });
    for (let n = 1; n <= 50; n++)
      await seed.put(entry(n, { created_at: n > 45 ? today : entry(n).created_at }));
    await seed.learnPrice("p", 120);
    await seed.close();
    const s = await FileStore.open({ path });
    // Nothing below needs the index, so none of it waits for (or starts) the full load.
    expect((await s.findByClientRequestId("local", "req-7"))?.id).toBe("gen_7");
    expect(await s.findByClientRequestId("local", "req-99")).toBeUndefined();
    expect(await s.spentSince("local", startOfUtcDay(new Date()))).toBe(5 * 90);
    expect(await s.learnedPrice("p")).toBe(120);
    await s.openIntent(intent(51, { created_at: today }), (spent) => expect(spent).toBe(450));
    await s.put(entry(7, { status: "succeeded", final_credits: 90 }));
    expect((await s.findByClientRequestId("local", "req-7"))?.status).toBe("succeeded");
    // The first call that needs the index loads it, with the writes made before.
    const list = await s.list("local", 100);
    expect(list.length).toBe(51);
    expect(list.filter((e) => e.id === "gen_7").map((e) => e.status)).toEqual(["succeeded"]);
    expect(await s.spentSince("local", startOfUtcDay(new Date()))).toBe(6 * 90);
    await s.close();
  });

  it("creates the ledger 0600 in a folder 0700, and tightens an old world-readable one", async () => {
    const path = join(dir, "state", "ledger.jsonl");
    const s = await FileStore.open({ path });
    await s.put(entry(1));
    await s.close();
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, "state"))).mode & 0o777).toBe(0o700);
    const old = join(dir, "old.jsonl");
    await writeFile(old, `${JSON.stringify(entry(1))}\n`, { mode: 0o644 });
    await (await FileStore.open({ path: old })).close();
    expect((await stat(old)).mode & 0o777).toBe(0o600);
  });

  it("reads a ledger written before intents existed", async () => {
    const path = join(dir, "l.jsonl");
    const { id: _id, state: _s, quote_credits: _q, ...old } = entry(1);
    await writeFile(path, `${JSON.stringify({ ...old, cost_credits: 90 })}\n`);
    const s = await FileStore.open({ path });
    const found = await s.get("local", "task_1");
    expect(found).toMatchObject({ id: "task_1", state: "created", quote_credits: 90 });
    expect(await s.spentSince("local", new Date(0))).toBe(90);
  });

  it("measures its size per 1,000 tasks", async () => {
    const path = join(dir, "size.jsonl");
    const s = await FileStore.open({ path, maxEntries: 5000 });
    for (let n = 0; n < 1000; n++) {
      await s.put(
        entry(n, {
          status: "succeeded",
          final_credits: 90,
          result_urls: [`https://cdn.rivya.ai/results/task_${n}.mp4`],
        }),
      );
    }
    await s.close();
    const { size } = await stat(path);
    console.log(`ledger: ${size} bytes per 1,000 tasks (one line each)`);
    expect(size).toBeGreaterThan(1000 * 300);
  });

  it("an unreadable ledger line in the middle is skipped, not fatal", async () => {
    const path = join(dir, "l.jsonl");
    await writeFile(path, `${JSON.stringify(entry(1))}\n{garbage\n${JSON.stringify(entry(2))}\n`);
    const s = await FileStore.open({ path });
    expect((await s.list("local", 10)).length).toBe(2);
    expect(s.skippedLines).toBe(1);
  });
});

describe("the byte search before the load", () => {
  it("sees a line another process was still writing once it is whole (review finding)", async () => {
    const path = join(dir, "ledger.jsonl");
    await writeFile(path, `${JSON.stringify(entry(1))}\n`, { mode: 0o600 });
    const store = await FileStore.open({ path });
    try {
      const other = { ...intent(2), created_at: new Date().toISOString(), quote_credits: 500 };
      const line = `${JSON.stringify(other)}\n`;
      const half = Math.floor(line.length / 2);
      await appendFile(path, line.slice(0, half));
      // Answered from the bytes (the load waits for a quiet second): the half line is not there yet.
      expect(
        await store.findByClientRequestId(other.owner, other.client_request_id),
      ).toBeUndefined();
      await appendFile(path, line.slice(half));
      expect(await store.findByClientRequestId(other.owner, other.client_request_id)).toMatchObject(
        { id: other.id, state: "submitting" },
      );
      expect(await store.spentSince(other.owner, startOfUtcDay(new Date()))).toBeGreaterThanOrEqual(
        500,
      );
    } finally {
      await store.close();
    }
  });

  it("keeps uploads through compaction until a day past their expiry", async () => {
    const path = join(dir, "l.jsonl");
    const s = await FileStore.open({ path, maxEntries: 10 });
    const upload = (name: string, expires_at?: string) => ({
      owner: "alice",
      url: `https://files.example/${name}.png`,
      provider: "rivya",
      file_id: name,
      created_at: "2026-01-01T00:00:00.000Z",
      ...(expires_at ? { expires_at } : {}),
    });
    await s.recordUpload(upload("kept"));
    await s.recordUpload(upload("current", new Date(Date.now() + 3_600_000).toISOString()));
    // Expired an hour ago: within the day of grace, kept.
    await s.recordUpload(upload("graced", new Date(Date.now() - 3_600_000).toISOString()));
    await s.recordUpload(upload("gone", "2026-01-01T01:00:00.000Z"));
    for (let n = 1; n <= 60; n++) await s.put(entry(n, { status: "succeeded", final_credits: 90 }));
    expect(await s.uploadOwner("https://files.example/gone.png")).toBeUndefined();
    await s.close();
    // Compacted: the expired upload's line is gone from the file, not only from the index.
    const text = await readFile(path, "utf8");
    expect(text).not.toContain("gone.png");
    expect(text).toContain("graced.png");
    const reopened = await FileStore.open({ path, maxEntries: 10 });
    expect(await reopened.uploadOwner("https://files.example/kept.png")).toBe("alice");
    expect(await reopened.uploadOwner("https://files.example/current.png")).toBe("alice");
    expect(await reopened.uploadOwner("https://files.example/graced.png")).toBe("alice");
    expect(await reopened.uploadOwner("https://files.example/gone.png")).toBeUndefined();
  });

  it("keeps a shared secret in a file of its own beside the ledger, for its owner alone", async () => {
    const s = await FileStore.open({ path: join(dir, "ledger.jsonl") });
    const secret = await s.sharedSecret("request-state");
    await s.close();
    const file = join(dir, "request-state.secret");
    expect((await readFile(file)).equals(secret)).toBe(true);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    // The candidate files of the race are gone; the secret is never a ledger line.
    expect((await readdir(dir)).filter((f) => f.endsWith(".tmp"))).toEqual([]);
    expect(await readFile(join(dir, "ledger.jsonl"), "utf8").catch(() => "")).not.toContain(
      secret.toString("base64"),
    );
  });
});
