/**
 * The fault suite with crashes: the built CLI, killed with SIGKILL every few calls while
 * Rivya drops replies after accepting creates, rate limits and answers 503. An agent that
 * retries each request with its client_request_id (restarting the server when it died) must
 * end with exactly one task and one charge per request, and no task id missing from the
 * ledger.
 */

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type Simulator, startSimulator } from "../../src/providers/rivya/simulator/index.js";
import { type Spawned, spawnCli } from "../helpers/spawned.js";

const KEY = "rvya_sk_crash_suite_key_42";
const REQUESTS = 30;
const CONCURRENCY = 4;
const KILL_EVERY = 7;

let sim: Simulator;
let dir: string;

beforeAll(async () => {
  sim = await startSimulator({
    startingCredits: 100_000,
    seed: 20261201,
    rateLimit: null,
    queuedMs: 60_000,
    processingMs: 60_000,
    faults: { dropAfterAccept: 0.2, rate429: 0.1, rate5xx: 0.05 },
  });
  dir = await mkdtemp(join(tmpdir(), "rivya-crash-"));
});
afterAll(async () => {
  await sim.close();
  await rm(dir, { recursive: true, force: true });
});

const env = () => ({
  RIVYA_API_KEY: KEY,
  RIVYA_BASE_URL: sim.url,
  RIVYA_MCP_STATE_DIR: join(dir, "state"),
  RIVYA_MCP_CONFIRM_ABOVE: "100000",
});

it(`${REQUESTS} requests through dropped replies, rate limits, 503s and SIGKILLs`, async () => {
  let cli: Spawned = await spawnCli([], env());
  let restarting: Promise<void> | undefined;
  let calls = 0;
  let kills = 0;
  let crashedCalls = 0;
  let toolErrors = 0;

  const restartAfter = (dead: Spawned) => {
    if (cli !== dead) return restarting ?? Promise.resolve();
    restarting ??= (async () => {
      await dead.close().catch(() => {});
      cli = await spawnCli([], env());
      restarting = undefined;
    })();
    return restarting;
  };

  async function settle(i: number): Promise<string> {
    const args = {
      model: i % 2 ? "kling-v2-1-master" : "kling-3-0",
      prompt: `Crash suite request ${i}`,
      client_request_id: `crash-${i}`,
    };
    for (let attempt = 0; attempt < 25; attempt++) {
      await restarting;
      const current = cli;
      calls += 1;
      if (calls % KILL_EVERY === 0) {
        // Kill the server while this call (and others) are in flight.
        setTimeout(() => {
          if (cli === current) {
            kills += 1;
            process.kill(current.transport.pid as number, "SIGKILL");
          }
        }, 20);
      }
      try {
        const r = await current.call("generate_video", args);
        if (!r.isError) return (r.structuredContent as any).task.task_id;
        toolErrors += 1;
      } catch {
        crashedCalls += 1;
        await restartAfter(current);
      }
    }
    throw new Error(`request ${i} never settled`);
  }

  const taskIds: string[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < REQUESTS) taskIds.push(await settle(next++));
    }),
  );
  // A kill timer of the last calls may still fire: let it, then check with a fresh process.
  await sleep(100);
  await restarting;
  await cli.close().catch(() => {});
  cli = await spawnCli([], env());
  // No task id lost: a new process's ledger finds every request's task by its id.
  const recorded: string[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    const r = await cli.call("get_task", { task_id: `crash-${i}` });
    recorded.push((r.structuredContent as any)?.task?.task_id);
  }
  await cli.close();

  const tasks = sim.tasks(KEY);
  const creates = sim.requests.filter(
    (r) => r.method === "POST" && r.path === "/api/v1/generations",
  );
  const figures = {
    requests: REQUESTS,
    toolCalls: calls,
    toolErrors,
    callsCutByKill: crashedCalls,
    kills,
    upstreamCreateRequests: creates.length,
    dropped: creates.filter((r) => r.status === 0).length,
    upstreamTasks: tasks.length,
    creditsCharged: sim.stats().creditsCharged,
  };
  console.log(`crash suite: ${JSON.stringify(figures)}`);

  expect(kills).toBeGreaterThan(2);
  expect(new Set(taskIds).size).toBe(REQUESTS);
  expect(tasks).toHaveLength(REQUESTS);
  expect(figures.creditsCharged).toBe((REQUESTS / 2) * 90 + (REQUESTS / 2) * 160);
  expect(new Set(recorded)).toEqual(new Set(tasks.map((t) => t.id)));
}, 180_000);
