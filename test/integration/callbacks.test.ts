/**
 * Provider callbacks in hosted mode (--public-url): the URL carries a per-request secret; a
 * callback is only a hint, so the ledger changes only after the task is read back from the
 * provider; a callback can settle an intent whose create got no answer.
 */
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../src/log.js";
import { type Loopcast, loopcast } from "../fixtures/throwaway-provider/provider.js";
import { freePort } from "../helpers/free-port.js";
import { structuredOf, textOf } from "../helpers/harness.js";
import { type HttpHarness, startHttpHarness } from "../helpers/http-harness.js";

const post = (url: string, body: unknown) =>
  fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });

async function hosted(provider: Loopcast, logs: string[] = []) {
  const port = await freePort();
  const h = await startHttpHarness({
    providers: [provider],
    http: { port, publicUrl: `http://127.0.0.1:${port}` },
    log: createLogger({ level: "debug", write: (line) => logs.push(line) }),
  });
  return { h, mcp: await h.connect() };
}

const call = (mcp: Client, name: string, args: Record<string, unknown>) =>
  mcp.callTool({ name, arguments: args }) as Promise<CallToolResult>;

describe("callbacks for a task", () => {
  const lc = loopcast();
  const logs: string[] = [];
  let h: HttpHarness;
  let mcp: Client;
  beforeAll(async () => {
    ({ h, mcp } = await hosted(lc, logs));
  });
  afterAll(() => h.close());

  it("a forged callback changes nothing; a real one is believed only as far as a read confirms it", async () => {
    const res = await call(mcp, "generate_video", {
      model: "loopcast-short",
      prompt: "a kite",
      client_request_id: "cb-1",
    });
    expect(res.isError, textOf(res)).toBeFalsy();
    const taskId = structuredOf(res).task.task_id as string;
    const url = lc.callbackUrl(taskId) as string;
    expect(url).toMatch(
      new RegExp(`^${h.url.replace(/\/mcp$/, "")}/callbacks/gen_[\\w-]+/[\\w-]{16,}$`),
    );

    // The right entry with a made-up secret: not found, nothing read, nothing written.
    const forged = await post(url.replace(/[^/]+$/, "A".repeat(32)), {
      id: taskId,
      status: "completed",
    });
    expect(forged.status).toBe(404);
    expect((await h.store.get("local", taskId))?.status).toBe("queued");

    // The real URL claiming success while the provider says it is still running.
    const early = await post(url, { id: taskId, status: "completed" });
    expect(early.status).toBe(204);
    expect((await h.store.get("local", taskId))?.status).toBe("processing");

    // Finished at the provider: the callback settles the ledger with no get_task call.
    lc.finish(taskId);
    expect((await post(url, { id: taskId, status: "completed" })).status).toBe(204);
    const entry = await h.store.get("local", taskId);
    expect(entry).toMatchObject({
      status: "succeeded",
      result_urls: [`https://loopcast.invalid/${taskId}.mp4`],
    });

    // The secret never reaches a log line.
    const secret = url.split("/").at(-1) as string;
    expect(logs.some((l) => l.includes("/callbacks/"))).toBe(true);
    expect(logs.join("\n")).not.toContain(secret);
  });

  it("a callback whose write fails is answered 503, so the provider sends it again", async () => {
    const res = await call(mcp, "generate_video", {
      model: "loopcast-short",
      prompt: "a kite, again",
      client_request_id: "cb-3",
    });
    const taskId = structuredOf(res).task.task_id as string;
    const url = lc.callbackUrl(taskId) as string;
    lc.finish(taskId);
    const put = h.store.put;
    h.store.put = async () => {
      throw new Error("disk full");
    };
    try {
      expect((await post(url, { id: taskId, status: "completed" })).status).toBe(503);
    } finally {
      h.store.put = put;
    }
    expect((await h.store.get("local", taskId))?.status).toBe("queued");
    expect((await post(url, { id: taskId, status: "completed" })).status).toBe(204);
    expect((await h.store.get("local", taskId))?.status).toBe("succeeded");
  });

  it("answers 404 to anything that is not a callback URL of ours", async () => {
    const base = h.url.replace(/\/mcp$/, "");
    expect((await post(`${base}/callbacks/gen_nothing/${"b".repeat(24)}`, {})).status).toBe(404);
    expect((await post(`${base}/callbacks/not-a-ledger-id`, {})).status).toBe(404);
    expect((await fetch(`${base}/callbacks/gen_x/${"c".repeat(24)}`)).status).toBe(404);
  });
});

describe("a callback settles an intent whose create got no answer", () => {
  const ni = loopcast({ idempotent: false });
  let h: HttpHarness;
  let mcp: Client;
  beforeAll(async () => {
    ({ h, mcp } = await hosted(ni));
  });
  afterAll(() => h.close());

  it("records the task the callback names, after reading it back", async () => {
    ni.dropNextReply();
    const res = await call(mcp, "generate_video", {
      model: "loopcast-short",
      prompt: "a lost reply",
      client_request_id: "cb-2",
    });
    expect(res.isError).toBe(true);
    expect(textOf(res)).toContain("in doubt");
    const [taskId] = ni.taskIds();
    const url = ni.callbackUrl(taskId as string) as string;
    expect(url).toMatch(/\/callbacks\/gen_[\w-]+\/[\w-]+$/);

    expect((await post(url, { id: taskId, status: "processing" })).status).toBe(204);
    const shown = await call(mcp, "get_task", { task_id: "cb-2" });
    expect(structuredOf(shown).task).toMatchObject({ task_id: taskId });
    expect(ni.creates()).toBe(1);
  });
});
