/** Rate limiting, fault switches, the request log and shutdown. */
import { afterEach, describe, expect, it } from "vitest";
import { MODELS } from "../../src/providers/index.js";
import {
  type Simulator,
  type SimulatorOptions,
  startSimulator,
} from "../../src/providers/rivya/simulator/index.js";
import { call, newKey } from "../fixtures/sim-http.js";

const gen = { model: "kling-3-0", prompt: "a paper boat" }; // base 90 credits
let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});
async function start(opts: SimulatorOptions): Promise<Simulator> {
  sim = await startSimulator(opts);
  return sim;
}

describe("rate limit", () => {
  it("answers 429 rate_limited with Retry-After once a key's bucket is empty", async () => {
    const s = await start({ rateLimit: { capacity: 3, refillPerSecond: 0.5 } });
    const key = newKey();
    const statuses: number[] = [];
    let limited: Awaited<ReturnType<typeof call>> | undefined;
    for (let i = 0; i < 4; i++) {
      const res = await call(s.url, "GET", "/api/v1/credits", { key });
      statuses.push(res.status);
      if (res.status === 429) limited = res;
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(limited?.body.error.code).toBe("rate_limited");
    expect(Number(limited?.headers["retry-after"])).toBe(2); // one token at 0.5/s
    // Buckets are per key: another key is unaffected.
    expect((await call(s.url, "GET", "/api/v1/credits", { key: newKey() })).status).toBe(200);
  });

  it("refills over time", async () => {
    const s = await start({ rateLimit: { capacity: 1, refillPerSecond: 4 } });
    const key = newKey();
    expect((await call(s.url, "GET", "/api/v1/credits", { key })).status).toBe(200);
    expect((await call(s.url, "GET", "/api/v1/credits", { key })).status).toBe(429);
    await new Promise((r) => setTimeout(r, 300));
    expect((await call(s.url, "GET", "/api/v1/credits", { key })).status).toBe(200);
  });
});

describe("faults", () => {
  it("rate429 answers 429 with Retry-After: 1, after auth", async () => {
    const s = await start({ faults: { rate429: 1 } });
    const res = await call(s.url, "GET", "/api/v1/credits", { key: newKey() });
    expect(res.status).toBe(429);
    expect(res.body.error.code).toBe("rate_limited");
    expect(res.headers["retry-after"]).toBe("1");
    expect((await call(s.url, "GET", "/api/v1/credits")).status).toBe(401);
  });

  it("rate5xx answers 503 public_api_disabled with Retry-After", async () => {
    const s = await start({ faults: { rate5xx: 1 } });
    const key = newKey();
    const res = await call(s.url, "POST", "/api/v1/generations", { key, json: gen });
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe("public_api_disabled");
    expect(res.headers["retry-after"]).toBe("1");
    expect(s.balance(key)).toBe(1000);
    expect(s.stats().tasksCreated).toBe(0);
  });

  it("shares are seeded: the same seed gives the same sequence", async () => {
    const run = async () => {
      const s = await startSimulator({ seed: 42, faults: { rate5xx: 0.5 }, rateLimit: null });
      try {
        const key = newKey();
        const out: number[] = [];
        for (let i = 0; i < 20; i++)
          out.push((await call(s.url, "GET", "/api/v1/credits", { key })).status);
        return out;
      } finally {
        await s.close();
      }
    };
    const first = await run();
    expect(first).toEqual(await run());
    expect(first).toContain(200);
    expect(first).toContain(503);
  });

  it("latencyMs delays every response", async () => {
    const s = await start({ faults: { latencyMs: 250 } });
    const timed = async () => {
      const t0 = performance.now();
      expect((await call(s.url, "GET", "/api/v1/models")).status).toBe(200);
      return performance.now() - t0;
    };
    // A lower bound only: a loaded machine can make a request slower, never faster.
    expect(await timed()).toBeGreaterThanOrEqual(240);
  });

  it("dropAfterAccept creates and charges the task but the caller sees a socket error", async () => {
    const s = await start({ faults: { dropAfterAccept: 1 } });
    const key = newKey();
    const headers = { "idempotency-key": "drop-1" };
    await expect(
      call(s.url, "POST", "/api/v1/generations", { key, json: gen, headers }),
    ).rejects.toThrow();
    expect(s.balance(key)).toBe(1000 - 90);
    expect(s.tasks(key)).toHaveLength(1);
    expect(s.requests.at(-1)).toMatchObject({
      method: "POST",
      path: "/api/v1/generations",
      status: 0,
    });
    // Only creates are dropped; a retry with the same Idempotency-Key gets the same task.
    expect((await call(s.url, "GET", "/api/v1/credits", { key })).status).toBe(200);
    s.setFaults({ dropAfterAccept: 0 });
    const retry = await call(s.url, "POST", "/api/v1/generations", { key, json: gen, headers });
    expect(retry.status).toBe(200);
    expect(retry.body.id).toBe(s.tasks(key)[0]?.id);
    expect(s.balance(key)).toBe(1000 - 90);
  });

  it("does not drop refused creates", async () => {
    const s = await start({ faults: { dropAfterAccept: 1 } });
    const res = await call(s.url, "POST", "/api/v1/generations", {
      key: newKey(),
      json: { model: "x" },
    });
    expect(res.status).toBe(400);
  });
});

describe("bookkeeping", () => {
  it("records every request with its status and key", async () => {
    const s = await start({});
    const key = newKey();
    await call(s.url, "GET", "/api/v1/models");
    await call(s.url, "GET", "/api/v1/credits", { key });
    await call(s.url, "GET", "/api/v1/credits?x=1");
    expect(
      s.requests.map(({ method, path, status, key: k }) => ({ method, path, status, key: k })),
    ).toEqual([
      { method: "GET", path: "/api/v1/models", status: 200, key: undefined },
      { method: "GET", path: "/api/v1/credits", status: 200, key },
      { method: "GET", path: "/api/v1/credits", status: 401, key: undefined },
    ]);
    expect(s.requests.every((r) => typeof r.at === "number")).toBe(true);
  });

  it("serves a custom model list", async () => {
    const only = MODELS.filter((m) => m.id === "kling-v2-1-master");
    const s = await start({ models: only });
    const res = await call(s.url, "GET", "/api/v1/models");
    expect(res.body.data.map((m: { id: string }) => m.id)).toEqual(["kling-v2-1-master"]);
    const create = await call(s.url, "POST", "/api/v1/generations", { key: newKey(), json: gen });
    expect(create.status).toBe(400);
  });

  it("closes without waiting for a delayed response in flight", async () => {
    const s = await startSimulator({ faults: { latencyMs: 10_000 } });
    const pending = call(s.url, "GET", "/api/v1/models").catch(() => "closed");
    await new Promise((r) => setTimeout(r, 30));
    await s.close();
    // Had close() waited out the 10 s delay, the request would have been answered.
    expect(await pending).toBe("closed");
    await expect(call(s.url, "GET", "/api/v1/models")).rejects.toThrow();
  });
});
