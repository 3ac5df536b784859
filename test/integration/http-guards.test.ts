/** Host/Origin checks, the body limit, the rate limit and JSON-RPC error bodies. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { largePngBytes } from "../fixtures/images.js";
import {
  call,
  type HttpHarness,
  INIT,
  out,
  rawPost,
  rawRequest,
  startHttpHarness,
  textOf,
} from "../helpers/http-harness.js";

let h: HttpHarness;
let auth: Record<string, string>;
beforeAll(async () => {
  h = await startHttpHarness({
    people: [{ name: "alice" }, { name: "limited" }],
    http: {
      allowedOrigins: ["https://app.example.com"],
      allowedHosts: ["mcp.example.com"],
      ratePerSecond: 1000,
      rateBurst: 1000,
    },
  });
  auth = { authorization: `Bearer ${h.tokens.alice}` };
});
afterAll(() => h.close());

/** A POST as the SDK would send it, with any header (Host included) overridden. */
const post = (headers: Record<string, string>, body = INIT) =>
  rawRequest(
    h.url,
    "POST",
    {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      ...auth,
      ...headers,
    },
    body,
  );

describe("DNS rebinding guards", () => {
  it.each([
    ["loopback host", { host: "127.0.0.1:PORT" }, 200],
    ["localhost", { host: "localhost" }, 200],
    ["the configured public name", { host: "mcp.example.com" }, 200],
    ["a foreign host", { host: "evil.example" }, 403],
    ["same-host origin", { origin: "http://127.0.0.1:PORT" }, 200],
    ["an allowed origin", { origin: "https://app.example.com" }, 200],
    ["a foreign origin", { origin: "https://evil.example" }, 403],
    ["the null origin", { origin: "null" }, 403],
  ])("%s → %i", async (_what, headers, status) => {
    const fixed = Object.fromEntries(
      Object.entries(headers).map(([k, v]) => [k, v.replace("PORT", String(h.server.port))]),
    );
    const res = await post(fixed);
    expect(res.status).toBe(status);
    if (status === 403)
      expect(JSON.parse(res.body)).toMatchObject({
        jsonrpc: "2.0",
        id: null,
        error: { code: -32000 },
      });
  });
});

describe("request bodies", () => {
  it("a 10 MB image sent as base64 fits the default limit", async () => {
    const c = await h.connect(h.tokens.alice);
    const image = largePngBytes(10 * 1024 * 1024 - 64 * 1024);
    const r = await call(c, "upload_reference", {
      model: "kling-3-0",
      base64: image.toString("base64"),
    });
    expect(r.isError, textOf(r)).toBeFalsy();
    expect(out(r).size_bytes).toBe(image.length);
  });

  it("a declared oversized body gets 413 before it is read", async () => {
    const res = await post({ "content-length": String(17 * 1024 * 1024) }, "");
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body).error.message).toContain("exceeds");
  });

  it("a streamed (chunked) body is cut off at the limit with 413", async () => {
    const chunk = "x".repeat(1024 * 1024);
    const body = new ReadableStream({
      start(ctrl) {
        for (let i = 0; i < 40; i++) ctrl.enqueue(new TextEncoder().encode(chunk));
        ctrl.close();
      },
    });
    const res = await fetch(h.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        ...auth,
      },
      body,
      duplex: "half",
    } as RequestInit).catch((err: Error) => err);
    // Either the client reads the 413, or the socket closed mid-upload; never a 2xx or 5xx.
    if (res instanceof Response) expect(res.status).toBe(413);
    expect((await fetch(h.url.replace("/mcp", "/healthz"))).status).toBe(200);
  });

  it.each([
    ["not JSON", "{nope", 400, -32700],
    ["a JSON scalar", "42", 400, -32600],
    // No envelope and no method: the SDK's classifier calls it an invalid request.
    ["not JSON-RPC", '{"hello":1}', 400, -32600],
  ])("%s → %i with a JSON-RPC error and no stack", async (_what, body, status, code) => {
    const res = await rawPost(h.url, body, auth);
    expect(res.status).toBe(status);
    const text = await res.text();
    expect(JSON.parse(text)).toMatchObject({ jsonrpc: "2.0", id: null, error: { code } });
    expect(text).not.toMatch(/\bat .*\.(ts|js):\d+/);
  });
});

describe("rate limit", () => {
  it("answers 429 with Retry-After once a token's bucket is empty, and only for that token", async () => {
    // One token back per 100 s: no refill during the test, however slow the machine.
    const limited = await startHttpHarness({
      people: [{ name: "a" }, { name: "b" }],
      http: { ratePerSecond: 0.01, rateBurst: 3 },
    });
    try {
      const send = (who: string) =>
        rawPost(limited.url, INIT, { authorization: `Bearer ${limited.tokens[who]}` });
      const statuses = [];
      for (let i = 0; i < 5; i++) statuses.push((await send("a")).status);
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      const refused = await send("a");
      expect(refused.status).toBe(429);
      const wait = Number(refused.headers.get("retry-after"));
      expect(wait).toBeGreaterThanOrEqual(1);
      expect(wait).toBeLessThanOrEqual(100);
      expect((await send("b")).status).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it("finding 16: the local user on loopback (no tokens file) is not limited by default", async () => {
    const local = await startHttpHarness();
    try {
      // 200 at once is more than three times the per-token default burst (60).
      const statuses = new Set<number>();
      for (let i = 0; i < 200; i++) statuses.add((await rawPost(local.url, INIT)).status);
      expect([...statuses]).toEqual([200]);
    } finally {
      await local.close();
    }
  });

  it("finding 16: an explicit --rate-limit still applies to the local user", async () => {
    const local = await startHttpHarness({ http: { ratePerSecond: 0.01, rateBurst: 2 } });
    try {
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await rawPost(local.url, INIT)).status);
      expect(statuses).toEqual([200, 200, 429]);
    } finally {
      await local.close();
    }
  });

  it("finding 7: a JSON-RPC batch is refused whole (MCP has none) before anything runs, for one token", async () => {
    const limited = await startHttpHarness({
      people: [{ name: "a" }],
      http: { stateless: true, ratePerSecond: 0.01, rateBurst: 3 },
    });
    try {
      const send = (body: string) =>
        rawPost(limited.url, body, { authorization: `Bearer ${limited.tokens.a}` });
      const ping = (id: number) => ({ jsonrpc: "2.0", id, method: "ping" });
      const listModels = (id: number) => ({
        jsonrpc: "2.0",
        id,
        method: "tools/call",
        params: { name: "list_models", arguments: {} },
      });
      const upstreamBefore = limited.sim.requests.length;
      // 100 tool calls in one POST: refused whole, nothing runs.
      const flood = await send(
        JSON.stringify(Array.from({ length: 100 }, (_, i) => listModels(i))),
      );
      expect(flood.status).toBe(400);
      expect(((await flood.json()) as { error: { message: string } }).error.message).toContain(
        "MCP has no batches",
      );
      expect(limited.sim.requests.length).toBe(upstreamBefore);
      // Each POST costs one token of the burst of 3, a batch as much as a single message:
      // the flood and this batch take two, one ping the third...
      expect((await send(JSON.stringify([ping(1), ping(2)]))).status).toBe(400);
      expect((await send(JSON.stringify(ping(3)))).status).toBe(200);
      // ...and nothing is left for the next.
      expect((await send(JSON.stringify(ping(4)))).status).toBe(429);
    } finally {
      await limited.close();
    }
  });
});
