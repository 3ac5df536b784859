/**
 * 2. Tool-call overhead: `get_task` on a finished task over stdio, each call timed from
 * writing the request to reading the answer. Reference, in the same loop: the reference
 * server's no-op tool call plus a direct undici GET of the same upstream URL (keep-alive,
 * body parsed as JSON) — what the call would cost with no server logic at all. Iterations
 * go A, B(no-op), B(GET), A, …; the reference sample of an iteration is the sum of its two
 * parts.
 */
import { Agent, request } from "undici";
import { allPass, atMost, median, quantile, ratio } from "../lib/stats.mjs";

export async function createFinishedTask(server) {
  const gen = await server.call("generate_video", {
    model: "kling-3-0",
    prompt: "A paper boat drifting down a rain gutter",
    client_request_id: `bench-${Date.now()}-${Math.random()}`,
  });
  const taskId = gen.structuredContent.task.task_id;
  for (let i = 0; i < 50; i++) {
    const got = await server.call("get_task", { task_id: taskId });
    if (got.structuredContent.task.done) return taskId;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`task ${taskId} did not finish`);
}

export async function toolCall(ctx, { iterations = 600, warmup = 100 } = {}) {
  const server = ctx.spawnServer();
  const reference = ctx.spawnReference();
  const agent = new Agent();
  try {
    await server.open();
    await reference.open();
    const taskId = await createFinishedTask(server);
    const url = `${ctx.fastSim.url}/api/v1/generations/${encodeURIComponent(taskId)}`;
    const headers = { authorization: `Bearer ${ctx.key}`, accept: "application/json" };

    const a = [];
    const noop = [];
    const get = [];
    for (let i = 0; i < warmup + iterations; i++) {
      let t = performance.now();
      const got = await server.call("get_task", { task_id: taskId });
      const ta = performance.now() - t;
      if (got.structuredContent.task.status !== "succeeded") throw new Error("task not finished");

      t = performance.now();
      await reference.call("noop");
      const tn = performance.now() - t;

      t = performance.now();
      const res = await request(url, { headers, dispatcher: agent });
      const body = await res.body.json();
      const tg = performance.now() - t;
      if (body.status !== "succeeded") throw new Error("direct GET did not see the task");

      if (i >= warmup) {
        a.push(ta);
        noop.push(tn);
        get.push(tg);
      }
    }
    const ref = noop.map((n, i) => n + get[i]);
    const p50 = median(a) / median(ref);
    const thresholds = { p50: atMost(p50, 1.15, ratio) };
    return {
      id: "tool-call",
      iterations,
      server: { p50: median(a), p99: quantile(a, 0.99) },
      reference: { p50: median(ref), p99: quantile(ref, 0.99) },
      noop: { p50: median(noop), p99: quantile(noop, 0.99) },
      get: { p50: median(get), p99: quantile(get, 0.99) },
      ratio: p50,
      ratioP99: quantile(a, 0.99) / quantile(ref, 0.99),
      thresholds,
      pass: allPass(thresholds),
    };
  } finally {
    await agent.close();
    await server.kill();
    await reference.kill();
  }
}
