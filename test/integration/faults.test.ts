/**
 * The fault-injection suite: 200 generate_video calls while Rivya drops connections after
 * accepting creates (20%), rate limits with Retry-After (10%) and answers 503 (5%). An agent
 * that follows the tool's advice (retry with the same client_request_id) must end with
 * exactly one task and one charge per distinct request.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { type Harness, startHarness, textOf } from "../helpers/harness.js";

const CALLS = 200;
const CONCURRENCY = 10;
let h: Harness;

beforeAll(async () => {
  h = await startHarness({
    sim: {
      startingCredits: 100_000,
      seed: 20261122,
      rateLimit: null,
      faults: { dropAfterAccept: 0.2, rate429: 0.1, rate5xx: 0.05 },
    },
  });
});
afterAll(() => h.close());

interface Outcome {
  taskId: string;
  toolRetries: number;
}

async function generateUntilDone(i: number): Promise<Outcome> {
  const clientRequestId = `fault-${i}`;
  const args = {
    model: i % 2 ? "kling-v2-1-master" : "kling-3-0",
    prompt: `Fault suite request ${i}`,
    client_request_id: clientRequestId,
  };
  for (let attempt = 0; attempt < 10; attempt++) {
    const r = await h.call("generate_video", args);
    if (!r.isError) {
      const out = r.structuredContent as { task: { task_id: string }; client_request_id: string };
      expect(out.client_request_id).toBe(clientRequestId);
      return { taskId: out.task.task_id, toolRetries: attempt };
    }
    // Every error must carry the way to retry safely.
    const text = textOf(r);
    expect(text).toContain(`client_request_id "${clientRequestId}"`);
    expect(text).toContain("safe to retry");
  }
  throw new Error(`request ${i} never succeeded`);
}

it(`${CALLS} calls through faults: one task and one charge per distinct request`, async () => {
  const outcomes: Outcome[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < CALLS) outcomes.push(await generateUntilDone(next++));
    }),
  );
  const tasks = h.sim.tasks(h.apiKey);
  const creates = h.sim.requests.filter(
    (r) => r.method === "POST" && r.path === "/api/v1/generations",
  );
  const byStatus = (s: number) => creates.filter((r) => r.status === s).length;
  const expectedCredits = (CALLS / 2) * 90 + (CALLS / 2) * 160;
  const figures = {
    toolCalls: CALLS + outcomes.reduce((n, o) => n + o.toolRetries, 0),
    toolRetries: outcomes.reduce((n, o) => n + o.toolRetries, 0),
    upstreamCreateRequests: creates.length,
    dropped: byStatus(0),
    rateLimited: byStatus(429),
    unavailable: byStatus(503),
    replays: byStatus(200),
    created: byStatus(202),
    upstreamTasks: tasks.length,
    creditsCharged: h.sim.stats().creditsCharged,
  };
  console.log(`fault suite: ${JSON.stringify(figures)}`);

  expect(new Set(outcomes.map((o) => o.taskId)).size).toBe(CALLS);
  expect(tasks).toHaveLength(CALLS);
  expect(figures.creditsCharged).toBe(expectedCredits);
  expect(100_000 - h.sim.balance(h.apiKey)).toBe(expectedCredits);
  // The faults really happened, and the client really retried through them.
  expect(figures.dropped).toBeGreaterThan(20);
  expect(figures.rateLimited).toBeGreaterThan(5);
  expect(figures.unavailable).toBeGreaterThan(2);
  expect(figures.replays).toBeGreaterThan(20);
  // Every task the ledger recorded is the one the simulator created.
  const ledger = await h.store.list("local", 1000);
  expect(new Set(ledger.map((e) => e.task_id))).toEqual(new Set(tasks.map((t) => t.id)));
}, 120_000);
