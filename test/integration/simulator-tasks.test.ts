/** Task clock, results, refunds, ownership and idempotency of creates. */
import { Readable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Simulator, startSimulator } from "../../src/providers/rivya/simulator/index.js";
import type { RivyaTask } from "../../src/providers/rivya/types.js";
import { call, newKey } from "../fixtures/sim-http.js";

const QUEUED_MS = 50;
const PROCESSING_MS = 100;
const COST = 160; // kling-v2-1-master base credits
const gen = (prompt = "a fox in the snow") => ({
  model: "kling-v2-1-master",
  prompt,
  params: { duration: "5" },
});
const ISO_MS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({
    queuedMs: QUEUED_MS,
    processingMs: PROCESSING_MS,
    rateLimit: null,
    seed: 7,
  });
});
afterAll(() => sim.close());

const create = (key: string, body: unknown, headers: Record<string, string> = {}) =>
  call(sim.url, "POST", "/api/v1/generations", { key, json: body, headers });
const get = (key: string, id: string) => call(sim.url, "GET", `/api/v1/generations/${id}`, { key });
const ms = (t: string) => Date.parse(t);

/** Polls until terminal, returning every distinct state seen. */
async function pollToEnd(key: string, id: string): Promise<RivyaTask[]> {
  const seen: RivyaTask[] = [];
  for (let i = 0; i < 200; i++) {
    const res = await get(key, id);
    expect(res.status).toBe(200);
    const task = res.body as RivyaTask;
    if (seen.at(-1)?.status !== task.status) seen.push(task);
    if (task.status === "succeeded" || task.status === "failed") return seen;
    await sleep(15);
  }
  throw new Error("task never finished");
}

describe("task clock", () => {
  it("goes queued → processing → succeeded with a downloadable MP4", async () => {
    const key = newKey();
    const created = await create(key, gen());
    expect(created.status).toBe(202);
    const task = created.body as RivyaTask;
    expect(task).toMatchObject({
      status: "queued",
      model: "kling-v2-1-master",
      reserved_credits: COST,
      final_credits: 0,
      result: null,
      error: null,
    });
    expect(task.id).toMatch(/^task_/);
    expect(task.created_at).toMatch(ISO_MS);
    expect(task.updated_at).toBe(task.created_at);

    const seen = await pollToEnd(key, task.id);
    const statuses = seen.map((t) => t.status);
    // Each status at most once, in clock order, ending in succeeded (polling may skip some).
    const order: RivyaTask["status"][] = ["queued", "processing", "succeeded"];
    expect(statuses).toEqual(order.filter((s) => statuses.includes(s)));
    expect(statuses.at(-1)).toBe("succeeded");
    for (const t of seen) {
      const offset = {
        queued: 0,
        processing: QUEUED_MS,
        succeeded: QUEUED_MS + PROCESSING_MS,
        failed: -1,
      }[t.status];
      expect(ms(t.updated_at) - ms(t.created_at)).toBe(offset);
      expect(t.created_at).toBe(task.created_at);
    }
    const done = seen.at(-1) as RivyaTask;
    expect(done.status).toBe("succeeded");
    expect(done.final_credits).toBe(COST);
    expect(done.error).toBeNull();
    expect(done.result?.primary_url).toBe(`${sim.url}/results/${task.id}.mp4`);
    expect(done.result?.urls).toEqual([done.result?.primary_url]);
    expect(sim.balance(key)).toBe(1000 - COST);

    const video = await call(sim.url, "GET", new URL(done.result?.primary_url ?? "").pathname);
    expect(video.status).toBe(200);
    expect(video.headers["content-type"]).toBe("video/mp4");
    expect(video.body.length).toBeGreaterThan(1000);
    expect(video.body.subarray(4, 8).toString("latin1")).toBe("ftyp");
  });

  it("has no result to download before the task succeeds", async () => {
    const key = newKey();
    const { body } = await create(key, gen());
    expect((await call(sim.url, "GET", `/results/${body.id}.mp4`)).status).toBe(404);
  });

  it("refunds a failed task without anyone polling it", async () => {
    const key = newKey();
    const before = sim.balance(key);
    const created = await create(key, gen("a storm [sim:fail]"));
    expect(created.status).toBe(202);
    expect(sim.balance(key)).toBe(before - COST);
    await sleep(QUEUED_MS + PROCESSING_MS + 20);
    expect(sim.balance(key)).toBe(before);
    const res = await get(key, created.body.id);
    expect(res.body).toMatchObject({
      status: "failed",
      reserved_credits: COST,
      final_credits: 0,
      result: null,
    });
    expect(res.body.error.code).toBe("generation_failed");
    expect(ms(res.body.updated_at) - ms(res.body.created_at)).toBe(QUEUED_MS + PROCESSING_MS);
    expect((await call(sim.url, "GET", "/api/v1/credits", { key })).body.current_credits).toBe(
      before,
    );
  });

  it("settles refunds on requests by other keys too", async () => {
    const key = newKey();
    const created = await create(key, gen("[sim:fail]"));
    const refundedBefore = sim.stats().creditsRefunded;
    await sleep(QUEUED_MS + PROCESSING_MS + 20);
    await call(sim.url, "GET", "/api/v1/models");
    expect(sim.tasks(key).find((t) => t.id === created.body.id)?.status).toBe("failed");
    expect(sim.stats().creditsRefunded).toBe(refundedBefore + COST);
  });

  it("rejects [sim:reject] prompts as a content-safety failure", async () => {
    const key = newKey();
    const { body } = await create(key, gen("something [sim:reject]"));
    const end = (await pollToEnd(key, body.id)).at(-1);
    expect(end?.status).toBe("failed");
    expect(end?.error?.code).toBe("generation_failed");
    expect(end?.error?.message).toContain("content safety policy");
    expect(sim.balance(key)).toBe(1000);
  });

  it("fails the configured share of tasks", async () => {
    const failing = await startSimulator({ queuedMs: 0, processingMs: 0, failureRate: 1, seed: 3 });
    try {
      const key = newKey();
      const { body } = await call(failing.url, "POST", "/api/v1/generations", { key, json: gen() });
      const res = await call(failing.url, "GET", `/api/v1/generations/${body.id}`, { key });
      expect(res.body.status).toBe("failed");
      expect(failing.balance(key)).toBe(1000);
      expect(failing.stats()).toMatchObject({
        tasksCreated: 1,
        creditsCharged: COST,
        creditsRefunded: COST,
      });
    } finally {
      await failing.close();
    }
  });

  it("fails about the configured share, refunding each failure", async () => {
    const n = 20;
    const mixed = await startSimulator({
      queuedMs: 0,
      processingMs: 0,
      failureRate: 0.5,
      rateLimit: null,
      seed: 11,
    });
    try {
      const outcomes: string[] = [];
      for (let i = 0; i < n; i++) {
        const key = newKey();
        const { body } = await call(mixed.url, "POST", "/api/v1/generations", { key, json: gen() });
        const res = await call(mixed.url, "GET", `/api/v1/generations/${body.id}`, { key });
        const task = res.body as RivyaTask;
        outcomes.push(task.status);
        if (task.status === "failed") {
          expect(task.error?.code).toBe("generation_failed");
          expect(task.final_credits).toBe(0);
          expect(mixed.balance(key)).toBe(1000);
        } else {
          expect(task.status).toBe("succeeded");
          expect(task.final_credits).toBe(COST);
          expect(mixed.balance(key)).toBe(1000 - COST);
        }
      }
      const failed = outcomes.filter((s) => s === "failed").length;
      expect(failed).toBeGreaterThan(0);
      expect(failed).toBeLessThan(n);
      expect(mixed.stats()).toMatchObject({
        tasksCreated: n,
        creditsCharged: n * COST,
        creditsRefunded: failed * COST,
      });
    } finally {
      await mixed.close();
    }
  });

  it("hides other accounts' tasks and unknown ids behind 404", async () => {
    const owner = newKey();
    const { body } = await create(owner, gen());
    for (const res of [await get(newKey(), body.id), await get(owner, "task_does_not_exist")]) {
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe("not_found");
    }
    expect(sim.tasks(owner).map((t) => t.id)).toEqual([body.id]);
  });
});

describe("idempotency", () => {
  it("replays the same body with 200 and the original task, charging once", async () => {
    const key = newKey();
    const headers = { "idempotency-key": "idem-1" };
    const first = await create(key, gen(), headers);
    expect(first.status).toBe(202);
    // Same content, different key order: the fingerprint is canonical.
    const again = await create(
      key,
      { params: { duration: "5" }, prompt: gen().prompt, model: gen().model },
      headers,
    );
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    expect(sim.balance(key)).toBe(1000 - COST);
    expect(sim.tasks(key)).toHaveLength(1);
  });

  it("returns the task in its current state on replay", async () => {
    const key = newKey();
    const headers = { "idempotency-key": "idem-later" };
    const first = await create(key, gen(), headers);
    await sleep(QUEUED_MS + PROCESSING_MS + 20);
    const again = await create(key, gen(), headers);
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    expect(again.body.status).toBe("succeeded");
  });

  it("answers 409 idempotency_conflict for the same key with another body", async () => {
    const key = newKey();
    const headers = { "idempotency-key": "idem-2" };
    expect((await create(key, gen(), headers)).status).toBe(202);
    const other = await create(key, gen("a different prompt"), headers);
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe("idempotency_conflict");
    expect(sim.balance(key)).toBe(1000 - COST);
  });

  it("scopes keys per API key", async () => {
    const headers = { "idempotency-key": "shared-name" };
    const a = await create(newKey(), gen(), headers);
    const b = await create(newKey(), gen("another"), headers);
    expect([a.status, b.status]).toEqual([202, 202]);
    expect(a.body.id).not.toBe(b.body.id);
  });

  it("lets concurrent duplicates share one task", async () => {
    const key = newKey();
    const created = sim.stats().tasksCreated;
    const headers = { "idempotency-key": "idem-concurrent" };
    const results = await Promise.all(Array.from({ length: 6 }, () => create(key, gen(), headers)));
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 202]);
    expect(sim.stats().tasksCreated).toBe(created + 1);
    expect(sim.balance(key)).toBe(1000 - COST);
  });

  it("makes a duplicate wait while the first is still arriving", async () => {
    const key = newKey();
    const headers = { "idempotency-key": "idem-slow", authorization: `Bearer ${key}` };
    const json = JSON.stringify(gen());
    // The first request sends half its body, stalls, then finishes.
    const slowBody = Readable.from(
      (async function* () {
        yield json.slice(0, 10);
        await sleep(120);
        yield json.slice(10);
      })(),
    );
    const slow = request(`${sim.url}/api/v1/generations`, {
      method: "POST",
      headers,
      body: slowBody,
    });
    await sleep(40);
    const fast = await create(key, gen(), { "idempotency-key": "idem-slow" });
    const first = await slow;
    const firstBody = (await first.body.json()) as RivyaTask;
    expect(first.statusCode).toBe(202);
    expect(fast.status).toBe(200);
    expect(fast.body.id).toBe(firstBody.id);
    expect(sim.tasks(key)).toHaveLength(1);
  });

  it("does not remember refused requests", async () => {
    const key = newKey();
    const headers = { "idempotency-key": "idem-fixable" };
    expect((await create(key, { ...gen(), params: { duration: "7" } }, headers)).status).toBe(400);
    expect((await create(key, gen(), headers)).status).toBe(202);
  });
});
