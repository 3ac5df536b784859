/** Stateful sessions: idle eviction (with memory measured), the cap, and DELETE. */
import { setTimeout as sleep } from "node:timers/promises";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { describe, expect, it } from "vitest";
import { type HttpHarness, INIT, rawPost, startHttpHarness } from "./helpers/http-harness.js";

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

async function until(check: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!check() && Date.now() < end) await sleep(50);
}

describe("session lifecycle", () => {
  it("1,000 abandoned sessions are evicted after the idle timeout and memory comes back", async () => {
    // Opening 1,000 sessions takes longer than the idle timeout on a small machine, so the
    // sessions' clock stands still while they are opened; the timeout runs from then on.
    let frozen: number | undefined;
    const h = await startHttpHarness({
      people: [{ name: "alice" }],
      http: {
        sessionIdleMs: 1500,
        sweepMs: 250,
        maxSessions: 2000,
        ratePerSecond: 0,
        sessionClock: () => frozen ?? Date.now(),
      },
    });
    try {
      const token = h.tokens.alice as string;
      await abandon(h, 50, token); // warm up code paths, then let them go
      await until(() => h.server.sessionCount() === 0, 10_000);
      const before = await heap();
      frozen = Date.now();
      const started = Date.now();
      const ids = await abandon(h, 1000, token);
      const openMs = Date.now() - started;
      expect(new Set(ids).size).toBe(1000);
      expect(h.server.sessionCount()).toBe(1000);
      const open = await heap();
      frozen = undefined;
      await until(() => h.server.sessionCount() === 0, 20_000);
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
      const [first, second, third] = await abandon(h, 3, token);
      const [fourth] = await abandon(h, 1, token);
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
});
