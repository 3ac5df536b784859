/** A long-running simulator stays bounded (issue 10 finding 13), and its pricing hook. */
import { afterEach, describe, expect, it, vi } from "vitest";
import { IdempotencyStore } from "../../src/providers/rivya/simulator/idempotency.js";
import {
  DEFAULT_LIMITS,
  type Simulator,
  startSimulator,
} from "../../src/providers/rivya/simulator/index.js";
import { pngBytes } from "../fixtures/images.js";
import { call, newKey, uploadForm } from "../fixtures/sim-http.js";

const gen = { model: "kling-3-0", prompt: "a lighthouse at dusk" };
let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

/** Runs `count` calls of `send(i)`, `width` at a time. */
async function inParallel(count: number, width: number, send: (i: number) => Promise<unknown>) {
  let next = 0;
  const lane = async () => {
    while (next < count) await send(next++);
  };
  await Promise.all(Array.from({ length: width }, lane));
}

describe("bounded growth (issue 10 finding 13)", () => {
  it("20,000 creates with distinct keys keep every count under its cap", async () => {
    const FIXED = "rvya_sk_configured_account";
    const s = await startSimulator({
      rateLimit: null,
      queuedMs: 0,
      processingMs: 0,
      accounts: { [FIXED]: { credits: 500 } },
    });
    sim = s;
    const first = await call(s.url, "POST", "/api/v1/generations", { key: FIXED, json: gen });
    expect(first.status).toBe(202);
    const N = 20_000;
    let accepted = 0;
    await inParallel(N, 16, async (i) => {
      const res = await call(s.url, "POST", "/api/v1/generations", {
        key: newKey(),
        json: gen,
        headers: { "idempotency-key": `distinct-${i}` },
      });
      if (res.status === 202) accepted++;
    });
    expect(accepted).toBe(N);
    const last = await call(s.url, "GET", "/api/v1/credits", { key: FIXED });
    // The configured account outlived 20,000 first-sight accounts: its balance is intact.
    expect(last.body.current_credits).toBe(500 - 90);

    const held = s.retained();
    const cap = DEFAULT_LIMITS;
    expect(N).toBeGreaterThan(cap.accounts); // so eviction had to happen
    expect(held.accounts).toBeLessThanOrEqual(cap.accounts + 1); // + the configured one
    expect(held.requestRecords).toBe(cap.requestRecords);
    expect(held.idempotencyKeys).toBeLessThanOrEqual(cap.idempotencyKeys);
    expect(held.finishedTasks).toBeLessThanOrEqual(cap.finishedTasks);
    expect(held.tasks).toBeLessThanOrEqual(cap.finishedTasks + 1);
    expect(s.requests).toHaveLength(cap.requestRecords);
    // The records kept are the most recent ones.
    expect(s.requests.at(-1)).toMatchObject({ path: "/api/v1/credits", key: FIXED, status: 200 });
    expect(s.stats().tasksCreated).toBe(N + 1);
  }, 120_000);

  it("first-sight accounts beyond the cap go least recently used first", async () => {
    const s = await startSimulator({ rateLimit: null, limits: { accounts: 2 } });
    sim = s;
    const [a, b, c] = [newKey(), newKey(), newKey()];
    const spend = (key: string) => call(s.url, "POST", "/api/v1/generations", { key, json: gen });
    const creditsOf = async (key: string) =>
      (await call(s.url, "GET", "/api/v1/credits", { key })).body.current_credits;
    await spend(a);
    await spend(b);
    expect(await creditsOf(a)).toBe(910); // a is now the most recently used
    await spend(c); // b goes
    expect(s.retained().accounts).toBe(2);
    expect(await creditsOf(a)).toBe(910);
    expect(await creditsOf(b)).toBe(1000); // forgotten: a fresh account
  });

  it("a replayed key whose task was evicted creates afresh instead of failing", async () => {
    const s = await startSimulator({
      rateLimit: null,
      queuedMs: 0,
      processingMs: 0,
      limits: { finishedTasks: 1 },
    });
    sim = s;
    const key = newKey();
    const headers = { "idempotency-key": "k-1" };
    const post = (h: Record<string, string>) =>
      call(s.url, "POST", "/api/v1/generations", { key, json: gen, headers: h });
    const a = await post(headers);
    await post({ "idempotency-key": "k-2" });
    await post({ "idempotency-key": "k-3" }); // a's task is swept out by now
    const again = await post(headers);
    expect(again.status).toBe(202);
    expect(again.body.id).not.toBe(a.body.id);
    expect(s.retained().tasks).toBeLessThanOrEqual(2);
  });

  it("uploaded files are capped by count and by total bytes, oldest first", async () => {
    const png = pngBytes();
    const s = await startSimulator({
      rateLimit: null,
      limits: { files: 3, fileBytes: Math.floor(png.length * 2.5) },
    });
    sim = s;
    const key = newKey();
    const ids: string[] = [];
    const urls: string[] = [];
    for (let i = 0; i < 4; i++) {
      const form = uploadForm(png, `f${i}.png`, { kind: "image" });
      const res = await call(s.url, "POST", "/api/v1/files", { key, form });
      expect(res.status).toBe(201);
      ids.push(res.body.id);
      urls.push(res.body.url);
    }
    // The byte cap (2.5 files) binds before the count cap (3).
    expect(s.retained()).toMatchObject({ files: 2, fileBytes: png.length * 2 });
    for (const [i, id] of ids.entries()) {
      const meta = await call(s.url, "GET", `/api/v1/files/${id}`, { key });
      const cdn = await call(urls[i] ?? "", "GET", "");
      const expected = i < 2 ? 404 : 200;
      expect([meta.status, cdn.status]).toEqual([expected, expected]);
    }
  });

  it("idempotency entries expire eagerly: a stale entry goes when any other key is used", () => {
    const store = new IdempotencyStore(100);
    const t0 = Date.parse("2026-01-01T00:00:00Z");
    store.remember("a", "{}", "task_a", t0);
    store.remember("b", "{}", "task_b", t0 + 1000);
    expect(store.count).toBe(2);
    store.lookup("c", "{}", t0 + 24 * 3600_000 + 1);
    expect(store.count).toBe(1); // a expired; b still has a second to live
    store.remember("d", "{}", "task_d", t0 + 25 * 3600_000);
    expect(store.count).toBe(1);
    expect(store.lookup("d", "{}", t0 + 25 * 3600_000)).toEqual({
      kind: "replay",
      taskId: "task_d",
    });
  });

  it("any request sweeps idempotency entries past their 24 h, not only a reuse of the key", async () => {
    const s = await startSimulator({ rateLimit: null });
    sim = s;
    const key = newKey();
    const headers = { "idempotency-key": "day-old" };
    await call(s.url, "POST", "/api/v1/generations", { key, json: gen, headers });
    expect(s.retained().idempotencyKeys).toBe(1);
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + 24 * 3600_000 + 1000 });
    try {
      await call(s.url, "GET", "/api/v1/models");
      expect(s.retained().idempotencyKeys).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it("idempotency entries beyond the cap go oldest first", () => {
    const store = new IdempotencyStore(2);
    for (const scope of ["a", "b", "c"]) store.remember(scope, "{}", `task_${scope}`, 0);
    expect(store.count).toBe(2);
    expect(store.lookup("a", "{}", 1)).toEqual({ kind: "new" });
    expect(store.lookup("c", "{}", 1)).toEqual({ kind: "replay", taskId: "task_c" });
  });
});

describe("pricing hook (reserveCredits)", () => {
  /** An upstream that reserves per second of video, as issue 10 finding 3 describes. */
  const perSecond = (_model: unknown, params: Readonly<Record<string, unknown>>) =>
    18 * Number(params.duration);

  it("reserves what the hook says; wallet, /credits and refund agree with it", async () => {
    const s = await startSimulator({
      rateLimit: null,
      queuedMs: 0,
      processingMs: 0,
      reserveCredits: perSecond,
    });
    sim = s;
    const key = newKey();
    const post = (prompt: string, params: Record<string, unknown>) =>
      call(s.url, "POST", "/api/v1/generations", { key, json: { ...gen, prompt, params } });
    const long = await post("a slow pan", { duration: "15" });
    expect(long.status).toBe(202);
    expect(long.body.reserved_credits).toBe(270);
    const credits = await call(s.url, "GET", "/api/v1/credits", { key });
    expect(credits.body.current_credits).toBe(1000 - 270);
    // The table's default duration (5 s) is filled in before the hook sees the params.
    const byDefault = await post("a still frame", {});
    expect(byDefault.body.reserved_credits).toBe(90);
    const failed = await post("[sim:fail] a storm", { duration: "10" });
    expect(failed.body.reserved_credits).toBe(180);
    const done = await call(s.url, "GET", `/api/v1/generations/${long.body.id}`, { key });
    expect(done.body).toMatchObject({ status: "succeeded", final_credits: 270 });
    const after = await call(s.url, "GET", "/api/v1/credits", { key });
    expect(after.body.current_credits).toBe(1000 - 270 - 90); // the failure's 180 came back
    expect(s.stats()).toMatchObject({ creditsCharged: 540, creditsRefunded: 180 });
  });

  it("a create the hook prices above the balance is refused with 402 and charges nothing", async () => {
    const s = await startSimulator({
      rateLimit: null,
      startingCredits: 200,
      reserveCredits: perSecond,
    });
    sim = s;
    const key = newKey();
    const res = await call(s.url, "POST", "/api/v1/generations", {
      key,
      json: { ...gen, params: { duration: "15" } },
    });
    expect(res.status).toBe(402);
    expect(res.body.error.message).toContain("costs 270 credits but the balance is 200");
    expect(s.balance(key)).toBe(200);
  });
});
