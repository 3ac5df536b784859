/** Keys, scopes and credits: the exact 401/403/402 codes and that refusals cost nothing. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Simulator, startSimulator } from "../../src/providers/rivya/simulator/index.js";
import { call, newKey } from "../fixtures/sim-http.js";

const gen = { model: "kling-3-0", prompt: "a lighthouse at dusk" }; // base 90 credits

describe("auth (acceptAnyKey: true)", () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({
      rateLimit: null,
      accounts: {
        rvya_sk_revoked: { status: "revoked" },
        rvya_sk_expired: { status: "expired" },
        rvya_sk_readonly: { scopes: ["generations:read", "files:read"] },
        rvya_sk_poor: { credits: 89 },
      },
    });
  });
  afterAll(() => sim.close());

  const expectError = async (
    res: Promise<{ status: number; body: { error: { code: string; requestId: string } } }>,
    status: number,
    code: string,
  ) => {
    const r = await res;
    expect(r.status).toBe(status);
    expect(r.body.error.code).toBe(code);
    expect(r.body.error.requestId).toMatch(/^req_/);
  };

  it("needs no key for /models and a key everywhere else", async () => {
    expect((await call(sim.url, "GET", "/api/v1/models")).status).toBe(200);
    for (const [method, path] of [
      ["GET", "/api/v1/credits"],
      ["POST", "/api/v1/generations"],
      ["GET", "/api/v1/generations/task_x"],
      ["POST", "/api/v1/files"],
      ["GET", "/api/v1/files/file_x"],
    ] as const) {
      await expectError(call(sim.url, method, path), 401, "api_key_missing");
    }
    await expectError(
      call(sim.url, "GET", "/api/v1/credits", { headers: { authorization: "Basic abc" } }),
      401,
      "api_key_missing",
    );
  });

  it("maps bad keys to their 401 codes", async () => {
    await expectError(
      call(sim.url, "GET", "/api/v1/credits", { key: "sk_live_nope" }),
      401,
      "api_key_invalid",
    );
    await expectError(
      call(sim.url, "GET", "/api/v1/credits", { key: "rvya_sk_" }),
      401,
      "api_key_invalid",
    );
    await expectError(
      call(sim.url, "GET", "/api/v1/credits", { key: "rvya_sk_revoked" }),
      401,
      "api_key_revoked",
    );
    await expectError(
      call(sim.url, "GET", "/api/v1/credits", { key: "rvya_sk_expired" }),
      401,
      "api_key_expired",
    );
  });

  it("refuses a key without the route's scope with 403", async () => {
    const k = "rvya_sk_readonly";
    await expectError(call(sim.url, "GET", "/api/v1/credits", { key: k }), 403, "api_scope_denied");
    await expectError(
      call(sim.url, "POST", "/api/v1/generations", { key: k, json: gen }),
      403,
      "api_scope_denied",
    );
    await expectError(
      call(sim.url, "GET", "/api/v1/generations/task_x", { key: k }),
      404,
      "not_found",
    );
    expect(sim.tasks(k)).toEqual([]);
  });

  it("gives a new key the starting credits", async () => {
    const res = await call(sim.url, "GET", "/api/v1/credits", { key: newKey() });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ current_credits: 1000 });
  });

  it("answers 402 insufficient_credits and leaves the balance alone", async () => {
    const k = "rvya_sk_poor";
    const res = await call(sim.url, "POST", "/api/v1/generations", { key: k, json: gen });
    expect(res.status).toBe(402);
    expect(res.body.error.code).toBe("insufficient_credits");
    expect(res.body.error.message).toContain("90");
    expect(sim.balance(k)).toBe(89);
    expect((await call(sim.url, "GET", "/api/v1/credits", { key: k })).body.current_credits).toBe(
      89,
    );
    expect(sim.tasks(k)).toEqual([]);
  });

  it("debits base_credits at create", async () => {
    const k = newKey();
    const res = await call(sim.url, "POST", "/api/v1/generations", { key: k, json: gen });
    expect(res.status).toBe(202);
    expect(res.body.reserved_credits).toBe(90);
    expect(res.body.final_credits).toBe(0);
    expect(sim.balance(k)).toBe(910);
    expect((await call(sim.url, "GET", "/api/v1/credits", { key: k })).body.current_credits).toBe(
      910,
    );
  });

  it("answers unknown routes with 404 not_found", async () => {
    await expectError(
      call(sim.url, "GET", "/api/v1/webhooks", { key: newKey() }),
      404,
      "not_found",
    );
    await expectError(call(sim.url, "GET", "/nope"), 404, "not_found");
    await expectError(call(sim.url, "POST", "/api/v1/models"), 404, "not_found");
  });
});

describe("auth (acceptAnyKey: false)", () => {
  it("knows only the configured keys", async () => {
    const sim = await startSimulator({
      acceptAnyKey: false,
      accounts: { rvya_sk_known: { credits: 5 } },
    });
    try {
      const known = await call(sim.url, "GET", "/api/v1/credits", { key: "rvya_sk_known" });
      expect(known.body).toEqual({ current_credits: 5 });
      const unknown = await call(sim.url, "GET", "/api/v1/credits", { key: "rvya_sk_other" });
      expect(unknown.status).toBe(401);
      expect(unknown.body.error.code).toBe("api_key_invalid");
      expect(() => sim.balance("rvya_sk_other")).toThrow();
    } finally {
      await sim.close();
    }
  });
});
