import { appendFile, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FileStore } from "../src/store/file-store.js";
import type { LedgerEntry } from "../src/store/types.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "rivya-ledger-"));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

function entry(n: number, overrides: Partial<LedgerEntry> = {}): LedgerEntry {
  const at = new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString();
  return {
    task_id: `task_${n}`,
    owner: "local",
    model: "kling-3-0",
    request_hash: "h".repeat(64),
    idempotency_key: `rmcp_${"k".repeat(40)}`,
    client_request_id: `req-${n}`,
    cost_credits: 90,
    reserved_credits: 90,
    final_credits: 0,
    status: "queued",
    result_urls: [],
    error: null,
    created_at: at,
    updated_at: at,
    ...overrides,
  };
}

describe("file ledger", () => {
  it("survives a reopen with the latest state per task, newest first", async () => {
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
    expect(list.map((e) => [e.task_id, e.status])).toEqual([
      ["task_2", "queued"],
      ["task_1", "succeeded"],
    ]);
    expect((await b.findByClientRequestId("local", "req-2"))?.task_id).toBe("task_2");
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
    expect(b.skippedOnLoad).toBe(1);
    expect((await b.list("local", 10)).map((e) => e.task_id)).toEqual([
      "task_5",
      "task_4",
      "task_3",
      "task_2",
      "task_1",
    ]);
    await b.put(entry(7));
    await b.close();
    const c = await FileStore.open({ path });
    expect(c.skippedOnLoad).toBe(1);
    expect(await c.get("local", "task_7")).toBeDefined();
    expect((await c.list("local", 10)).length).toBe(6);
  });

  it("keeps owners apart", async () => {
    const s = await FileStore.open({ path: join(dir, "l.jsonl") });
    await s.put(entry(1, { owner: "ana" }));
    await s.put(entry(2, { owner: "ben" }));
    expect(await s.get("ben", "task_1")).toBeUndefined();
    expect((await s.list("ana", 10)).map((e) => e.task_id)).toEqual(["task_1"]);
    expect(await s.findByClientRequestId("ben", "req-1")).toBeUndefined();
    expect(await s.spentSince("ana", new Date(0))).toBe(90);
  });

  it("counts refunds of failed tasks back in spend", async () => {
    const s = await FileStore.open({ path: join(dir, "l.jsonl") });
    await s.put(entry(1));
    await s.put(entry(2, { status: "failed", final_credits: 0 }));
    await s.put(entry(3, { status: "succeeded", final_credits: 90 }));
    expect(await s.spentSince("local", new Date(0))).toBe(180);
    expect(await s.spentSince("local", new Date(Date.UTC(2026, 0, 1, 0, 0, 3)))).toBe(90);
  });

  it("stays bounded: compaction prunes the oldest finished entries, never unfinished ones", async () => {
    const path = join(dir, "l.jsonl");
    const s = await FileStore.open({ path, maxEntries: 50 });
    await s.put(entry(0)); // unfinished, oldest
    for (let n = 1; n <= 300; n++)
      await s.put(entry(n, { status: "succeeded", final_credits: 90 }));
    await s.close();
    const lines = (await readFile(path, "utf8")).trim().split("\n").length;
    expect(lines).toBeLessThanOrEqual(100);
    const reopened = await FileStore.open({ path, maxEntries: 50 });
    expect(await reopened.get("local", "task_0")).toBeDefined();
    expect(await reopened.get("local", "task_300")).toBeDefined();
    expect(await reopened.get("local", "task_1")).toBeUndefined();
  });

  it("never prunes recent tasks, so today's spend (budgets) stays complete", async () => {
    const path = join(dir, "l.jsonl");
    const s = await FileStore.open({ path, maxEntries: 10 });
    const now = new Date().toISOString();
    for (let n = 1; n <= 60; n++) {
      await s.put(entry(n, { status: "succeeded", final_credits: 90, created_at: now }));
    }
    await s.close();
    const reopened = await FileStore.open({ path, maxEntries: 10 });
    expect((await reopened.list("local", 100)).length).toBe(60);
    expect(await reopened.spentSince("local", new Date(Date.now() - 3_600_000))).toBe(60 * 90);
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
    expect(s.skippedOnLoad).toBe(1);
    expect((await s.list("local", 10)).length).toBe(2);
  });
});
