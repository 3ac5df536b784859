/**
 * Issue 14: generations as MCP tasks (io.modelcontextprotocol/tasks, 2026-07-28), through a
 * spawned hosted server and a separate Rivya simulator, with raw 2026 requests (the SDK's
 * Client refuses task results). tasks/get reads the ledger and the provider, so it answers
 * after a restart; a task belongs to the person who created it.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Simulator, startSimulator } from "../../src/providers/rivya/simulator/index.js";
import { createToken } from "../../src/transports/tokens.js";
import { type ModernCaller, modernCaller } from "../helpers/modern-rpc.js";
import { type RunningCli, startHttpCli } from "../helpers/spawned.js";

const KEY = "rvya_sk_tasks_extension_test";
let sim: Simulator;
let dir: string;
let tokensFile: string;
const tokens: Record<string, string> = {};
let server: RunningCli | undefined;

beforeAll(async () => {
  sim = await startSimulator({ queuedMs: 200, processingMs: 1200 });
  dir = await mkdtemp(join(tmpdir(), "rivya-tasks-"));
  tokensFile = join(dir, "tokens.json");
  for (const name of ["alice", "bob"]) tokens[name] = await createToken(tokensFile, { name });
});
afterEach(async () => {
  await stop();
});
afterAll(async () => {
  await sim.close();
  await rm(dir, { recursive: true, force: true });
});

async function start(): Promise<string> {
  server = await startHttpCli(["--tokens-file", tokensFile, "--rate-limit", "0"], {
    HOME: dir,
    RIVYA_API_KEY: KEY,
    RIVYA_BASE_URL: sim.url,
    RIVYA_MCP_STATE_DIR: join(dir, "state"),
  });
  return server.url;
}

async function stop(): Promise<void> {
  if (!server) return;
  server.child.kill("SIGTERM");
  await server.exited;
  server = undefined;
}

let n = 0;
const generate = (who: ModernCaller, extra: Record<string, unknown> = {}) =>
  who.rpc("tools/call", {
    name: "generate_video",
    arguments: {
      model: "kling-3-0",
      prompt: "A paper boat on a rainy street",
      client_request_id: `tasks-${process.pid}-${++n}`,
      ...extra,
    },
  });

/** Polls tasks/get until the task leaves "working" (bounded by count, not by the clock). */
async function untilSettled(who: ModernCaller, taskId: string) {
  for (let i = 0; i < 200; i++) {
    const got = await who.rpc("tasks/get", { taskId });
    if (got.result?.status !== "working") return got;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`task ${taskId} still working`);
}

describe("generate_video as an MCP task", () => {
  it("answers with a task once submitted; tasks/get follows it to the finished video", async () => {
    const alice = modernCaller(await start(), tokens.alice);
    const before = sim.tasks(KEY).length;
    const created = await generate(alice);
    expect(created.error).toBeUndefined();
    const task = created.result as Record<string, any>;
    expect(task).toMatchObject({ resultType: "task", status: "working", ttlMs: null });
    expect(task.taskId).toMatch(/^tasks-/);
    expect(typeof task.pollIntervalMs).toBe("number");
    // The create was sent before the answer: the task already exists upstream, once.
    expect(sim.tasks(KEY).length).toBe(before + 1);

    const done = await untilSettled(alice, task.taskId);
    expect(done.result).toMatchObject({
      resultType: "complete",
      taskId: task.taskId,
      status: "completed",
    });
    const result = done.result?.result;
    expect(result.resultType).toBe("complete");
    expect(result.isError).toBeUndefined();
    expect(result.structuredContent.task.status).toBe("succeeded");
    expect(result.structuredContent.task.video_url).toMatch(/^https?:\/\//);
    // Polling never created anything more.
    expect(sim.tasks(KEY).length).toBe(before + 1);
  });

  it("a client without the extension, or a dry run, gets today's plain result", async () => {
    const url = await start();
    const plain = modernCaller(url, tokens.alice, {});
    const result = (await generate(plain)).result as Record<string, any>;
    expect(result.resultType).toBe("complete");
    expect(result.structuredContent.task.task_id).toMatch(/^task_/);
    const dry = (await generate(modernCaller(url, tokens.alice), { dry_run: true })).result;
    expect(dry?.resultType).toBe("complete");
    expect(dry?.structuredContent.submitted).toBe(false);
  });

  it("tasks/cancel stops following the task and says plainly it stays paid", async () => {
    const alice = modernCaller(await start(), tokens.alice);
    const { taskId } = (await generate(alice)).result as { taskId: string };
    const balanceAfterCreate = sim.balance(KEY);
    const upstreamTasks = sim.tasks(KEY).length;
    const statusReads = () =>
      sim.requests.filter((r) => r.method === "GET" && r.path.startsWith("/api/v1/generations/"))
        .length;
    // Followed until now: a tasks/get reads the provider.
    const before = statusReads();
    expect((await alice.rpc("tasks/get", { taskId })).result?.status).toBe("working");
    expect(statusReads()).toBeGreaterThan(before);
    const cancelled = await alice.rpc("tasks/cancel", { taskId });
    expect(cancelled.error).toBeUndefined();
    const readsAtCancel = statusReads();
    const got = await alice.rpc("tasks/get", { taskId });
    expect(got.result).toMatchObject({ status: "cancelled", taskId });
    expect(got.result?.statusMessage).toContain("paid and cannot be un-paid");
    // Stopped following: later polls answer from the ledger, asking the provider nothing.
    await new Promise((r) => setTimeout(r, 300));
    expect((await alice.rpc("tasks/get", { taskId })).result?.status).toBe("cancelled");
    expect(statusReads()).toBe(readsAtCancel);
    // Nothing was refunded or deleted upstream: cancelling is ours, not the provider's.
    expect(sim.tasks(KEY).length).toBe(upstreamTasks);
    expect(sim.balance(KEY)).toBe(balanceAfterCreate);
  });

  it("survives a restart between two tasks/get", async () => {
    const alice = modernCaller(await start(), tokens.alice);
    const { taskId } = (await generate(alice)).result as { taskId: string };
    const first = await alice.rpc("tasks/get", { taskId });
    expect(first.result?.status).toBe("working");
    // What a host shows while it polls: where the generation stands, not advice to call again.
    expect(first.result?.statusMessage).toMatch(
      /^Task \S+ is (queued|processing) \(\d+ credits reserved\)\.$/,
    );
    await stop();
    const again = modernCaller(await start(), tokens.alice);
    const done = await untilSettled(again, taskId);
    expect(done.result?.status).toBe("completed");
  });

  it("another person's tasks/get and tasks/cancel are refused as unknown; the task is untouched", async () => {
    const url = await start();
    const alice = modernCaller(url, tokens.alice);
    const bob = modernCaller(url, tokens.bob);
    const { taskId } = (await generate(alice)).result as { taskId: string };
    for (const method of ["tasks/get", "tasks/cancel"]) {
      const refused = await bob.rpc(method, { taskId });
      expect(refused.result).toBeUndefined();
      expect(refused.error?.code).toBe(-32602);
      expect(refused.error?.message).toContain(`No task ${taskId} among yours`);
    }
    const own = await alice.rpc("tasks/get", { taskId });
    expect(own.error).toBeUndefined();
    expect(own.result?.status).toMatch(/^(working|completed)$/);
  });
});
