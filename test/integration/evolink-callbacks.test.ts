/**
 * EvoLink's callbacks in hosted mode (--public-url), over real HTTP both ways: the simulator
 * posts the final task to the URL the server gave it; the server re-reads the task before
 * its ledger changes, so a forged "completed" changes nothing; a callback also settles a
 * create whose answer was lost.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterEach, expect, it } from "vitest";
import type { LedgerEntry } from "../../src/store/types.js";
import { freePort } from "../helpers/free-port.js";
import { structuredOf, textOf } from "../helpers/harness.js";
import { type HttpHarness, startHttpHarness } from "../helpers/http-harness.js";

let h: HttpHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function hosted() {
  const port = await freePort();
  h = await startHttpHarness({
    evolink: { allowLoopbackCallbacks: true, pendingMs: 50, processingMs: 150 },
    http: { port, publicUrl: `http://127.0.0.1:${port}` },
  });
  return { h, mcp: await h.connect() };
}

const t2v = (id: string) => ({
  model: "kling-v3-text-to-video",
  prompt: "a paper boat on a stream",
  client_request_id: id,
});

const call = (mcp: Client, args: Record<string, unknown>) =>
  mcp.callTool({ name: "generate_video", arguments: args }) as Promise<CallToolResult>;

/** Polls the ledger (never the provider) until the entry matches, or gives up after 5 s. */
async function ledgerUntil(
  t: HttpHarness,
  id: string,
  ok: (e: LedgerEntry | undefined) => boolean,
) {
  for (let i = 0; i < 100; i++) {
    const entry = await t.store.findByClientRequestId("local", id);
    if (ok(entry)) return entry;
    await sleep(50);
    t.evo?.tick();
  }
  return t.store.findByClientRequestId("local", id);
}

it("a real callback settles the ledger with no get_task; a forged one changes nothing", async () => {
  const { h: t, mcp } = await hosted();
  const res = await call(mcp, t2v("evo-cb-1"));
  expect(res.isError, textOf(res)).toBeFalsy();
  const taskId = structuredOf(res).task.task_id as string;
  const entry = (await t.store.get("local", taskId)) as LedgerEntry;
  expect(entry.callback_token).toMatch(/^[\w-]{32}$/);
  const url = `${t.url.replace(/\/mcp$/, "")}/callbacks/${entry.id}/${entry.callback_token}`;

  // Forged: the right URL, a body claiming completion while EvoLink still says pending.
  const forged = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      id: taskId,
      status: "completed",
      results: ["https://evil.example/x.mp4"],
    }),
  });
  expect(forged.status).toBe(204);
  const after = await t.store.get("local", taskId);
  expect(after?.status).not.toBe("succeeded");
  expect(after?.result_urls).toEqual([]);

  // The simulator finishes the task and posts it: the ledger follows, from a re-read.
  const settled = await ledgerUntil(t, "evo-cb-1", (e) => e?.status === "succeeded");
  expect(settled?.status).toBe("succeeded");
  expect(settled?.result_urls[0]).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
  // EvoLink was given the URL with the secret, and its post was answered. The simulator
  // records the post once our 204 reaches it, a moment after the ledger write it follows.
  const answered = () => t.evo?.callbacks.some((c) => c.url === url && c.status === 204);
  for (let i = 0; i < 100 && !answered(); i++) await sleep(20);
  expect(answered()).toBe(true);
});

it("a callback settles a create whose answer was lost", async () => {
  const { h: t, mcp } = await hosted();
  t.evo?.setFaults({ dropAfterAccept: 1 });
  const res = await call(mcp, t2v("evo-cb-2"));
  expect(res.isError).toBe(true);
  expect(textOf(res)).toContain("in doubt");
  t.evo?.setFaults({ dropAfterAccept: 0 });
  expect((await t.store.findByClientRequestId("local", "evo-cb-2"))?.state).toBe("submitting");

  const settled = await ledgerUntil(t, "evo-cb-2", (e) => e?.state === "created");
  expect(settled).toMatchObject({
    state: "created",
    task_id: expect.stringMatching(/^task-unified-/),
  });
  expect(t.evo?.tasks()).toHaveLength(1);
  // Nothing was sent twice: one create reached EvoLink.
  expect(
    t.evo?.requests.filter((r) => r.method === "POST" && r.path === "/v1/videos/generations"),
  ).toHaveLength(1);
});
