/** Stateful sessions: idle eviction (with memory measured), the cap, and DELETE. */
import { setTimeout as sleep } from "node:timers/promises";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { describe, expect, it } from "vitest";
import { HTTP_DEFAULTS } from "../../src/transports/http-options.js";
import { type HttpHarness, INIT, rawPost, startHttpHarness } from "../helpers/http-harness.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

async function heap(): Promise<number> {
  for (let i = 0; i < 4; i++) {
    gc();
    await sleep(20);
  }
  return process.memoryUsage().heapUsed;
}

/** Opens sessions the way a client that then vanishes would: initialize, and nothing more. */
async function abandon(h: HttpHarness, count: number, token: string): Promise<string[]> {
  const ids: string[] = [];
  const headers = { authorization: `Bearer ${token}` };
  for (let done = 0; done < count; done += 50) {
    const batch = Array.from({ length: Math.min(50, count - done) }, async () => {
      const res = await rawPost(h.url, INIT, headers);
      await res.text();
      ids.push(res.headers.get("mcp-session-id") ?? "");
    });
    await Promise.all(batch);
  }
  return ids;
}

/** Like abandon, but each session opened only once the one before it has answered. */
async function abandonInTurn(h: HttpHarness, count: number, token: string): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push(...(await abandon(h, 1, token)));
  return ids;
}

async function until(check: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!check() && Date.now() < end) await sleep(50);
}

describe("session lifecycle", () => {
  it("1,000 abandoned sessions are evicted after the idle timeout and memory comes back", async () => {
    // The periodic sweep never fires here (default 30 min idle); the test sweeps as the
    // timer would once the idle timeout has passed, so opening speed cannot matter.
    const h = await startHttpHarness({
      people: [{ name: "alice" }],
      http: { maxSessions: 2000, maxSessionsPerPerson: 2000, ratePerSecond: 0 },
    });
    const pastIdle = () => Date.now() + HTTP_DEFAULTS.sessionIdleMs + 1;
    try {
      const token = h.tokens.alice as string;
      await abandon(h, 50, token); // warm up code paths, then let them go
      h.server.sweep(pastIdle());
      expect(h.server.sessionCount()).toBe(0);
      const before = await heap();
      const started = Date.now();
      const ids = await abandon(h, 1000, token);
      const openMs = Date.now() - started;
      expect(new Set(ids).size).toBe(1000);
      expect(h.server.sessionCount()).toBe(1000);
      // Not idle yet: a sweep now keeps every one of them.
      h.server.sweep(Date.now());
      expect(h.server.sessionCount()).toBe(1000);
      const open = await heap();
      h.server.sweep(pastIdle());
      expect(h.server.sessionCount()).toBe(0);
      const after = await heap();
      const perSession = (open - before) / 1000;
      console.log(
        `[sessions] heap before ${(before / 1e6).toFixed(1)} MB, with 1000 idle sessions ${(open / 1e6).toFixed(1)} MB ` +
          `(${(perSession / 1024).toFixed(1)} KiB per session), after eviction ${(after / 1e6).toFixed(1)} MB ` +
          `(${((after - before) / 1e6).toFixed(2)} MB above start); opening them took ${openMs} ms`,
      );
      expect(perSession).toBeGreaterThan(0);
      // Loose: what eviction leaves behind is a small fraction of what the sessions held.
      expect(after - before).toBeLessThan(Math.max(0.25 * (open - before), 8e6));
      // An evicted session id is gone for good.
      const res = await rawPost(
        h.url,
        JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list" }),
        {
          authorization: `Bearer ${token}`,
          "mcp-session-id": ids[0] as string,
        },
      );
      expect(res.status).toBe(404);
    } finally {
      await h.close();
    }
  }, 60_000);

  it("at the cap the least recently used idle session goes; when all are busy, 503", async () => {
    const h = await startHttpHarness({ people: [{ name: "alice" }], http: { maxSessions: 3 } });
    try {
      const token = h.tokens.alice as string;
      // One after another, so the least recently used is known: the first.
      const [first, second, third, fourth] = await abandonInTurn(h, 4, token);
      expect(h.server.sessionCount()).toBe(3);
      const list = JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list" });
      const auth = { authorization: `Bearer ${token}`, "mcp-protocol-version": "2025-06-18" };
      expect(
        (await rawPost(h.url, list, { ...auth, "mcp-session-id": first as string })).status,
      ).toBe(404);
      // Hold every session busy with a listening GET stream: nothing may be evicted.
      const streams = new AbortController();
      const ids = [second, third, fourth] as string[];
      const opened = await Promise.all(
        ids.map((id) =>
          fetch(h.url, {
            headers: { ...auth, accept: "text/event-stream", "mcp-session-id": id },
            signal: streams.signal,
          }),
        ),
      );
      expect(opened.map((r) => r.status)).toEqual([200, 200, 200]);
      const refused = await rawPost(h.url, INIT, auth);
      expect(refused.status).toBe(503);
      expect(refused.headers.get("retry-after")).toBe("5");
      streams.abort();
    } finally {
      await h.close();
    }
  });

  it("DELETE ends a session; the SDK client's terminateSession frees it at once", async () => {
    const h = await startHttpHarness({ people: [{ name: "alice" }] });
    try {
      const transport = new StreamableHTTPClientTransport(new URL(h.url), {
        requestInit: { headers: { authorization: `Bearer ${h.tokens.alice}` } },
      });
      const c = new Client({ name: "t", version: "1" });
      await c.connect(transport);
      await c.listTools();
      expect(h.server.sessionCount()).toBe(1);
      await transport.terminateSession();
      await until(() => h.server.sessionCount() === 0, 2000);
      expect(h.server.sessionCount()).toBe(0);
      await c.close();
    } finally {
      await h.close();
    }
  });

  it("finding 6: a person at their cap evicts their own idle sessions, never someone else's", async () => {
    const h = await startHttpHarness({
      people: [{ name: "alice" }, { name: "bob" }],
      http: { maxSessions: 4, maxSessionsPerPerson: 2 },
    });
    try {
      const [bobs] = await abandonInTurn(h, 1, h.tokens.bob as string);
      // Bob's is the least recently used session from here on.
      const alices = await abandonInTurn(h, 6, h.tokens.alice as string);
      expect(await listStatus(h, "bob", bobs as string)).toBe(200);
      // Alice keeps her two newest; her older ones made the room.
      const statuses = [];
      for (const id of alices) statuses.push(await listStatus(h, "alice", id));
      expect(statuses).toEqual([404, 404, 404, 404, 200, 200]);
    } finally {
      await h.close();
    }
  });

  it("finding 6: a person whose sessions are all busy gets 503; others still get sessions", async () => {
    const h = await startHttpHarness({
      people: [{ name: "alice" }, { name: "bob" }],
      http: { maxSessions: 4, maxSessionsPerPerson: 2 },
    });
    const streams = new AbortController();
    try {
      const alices = await abandonInTurn(h, 2, h.tokens.alice as string);
      const held = await Promise.all(
        alices.map((id) => openStream(h, "alice", id as string, streams.signal)),
      );
      expect(held).toEqual([200, 200]);
      const refused = await rawPost(h.url, INIT, { authorization: `Bearer ${h.tokens.alice}` });
      expect(refused.status).toBe(503);
      expect(await refused.text()).toContain("DELETE /mcp");
      const bobs = await abandonInTurn(h, 2, h.tokens.bob as string);
      for (const id of bobs) expect(await listStatus(h, "bob", id)).toBe(200);
    } finally {
      streams.abort();
      await h.close();
    }
  });
});

const authFor = (h: HttpHarness, who: string) => ({
  authorization: `Bearer ${h.tokens[who]}`,
  "mcp-protocol-version": "2025-06-18",
});

/** The status of a tools/list in session `id`: 200 while it lives, 404 once evicted. */
async function listStatus(h: HttpHarness, who: string, id: string): Promise<number> {
  const list = JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list" });
  const res = await rawPost(h.url, list, { ...authFor(h, who), "mcp-session-id": id });
  await res.text();
  return res.status;
}

/** Opens the session's listening GET stream, which keeps it busy until `signal` aborts. */
async function openStream(h: HttpHarness, who: string, id: string, signal: AbortSignal) {
  const headers = { ...authFor(h, who), accept: "text/event-stream", "mcp-session-id": id };
  return (await fetch(h.url, { headers, signal })).status;
}
