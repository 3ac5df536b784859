/**
 * Row 8 (issue 15): the PostgreSQL store against the file store, side by side in one run.
 * Two servers on the same simulator, one per store, each with a daily budget so every
 * generate_video runs the budget check inside the store's lock (a transaction under the
 * owner's advisory lock in PostgreSQL, the file lock for the file store):
 * - get_task p50 for a known task over stdio;
 * - generate_video p50 with that budget check (check-and-reserve plus one create).
 * Then get_task throughput over HTTP, hosted replicas on each store (./pg-http.mjs).
 * Needs PostgreSQL (RIVYA_BENCH_DATABASE_URL, default the local test database); without it
 * the row says why it was skipped. The benchmark's schemas are dropped afterwards.
 */
import pg from "pg";
import { interleave, median } from "../lib/stats.mjs";
import { pgHttpThroughput } from "./pg-http.mjs";

const DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/test";

export async function pgStore(
  ctx,
  {
    calls = 300,
    creates = 60,
    warmup = 10,
    http = { clients: 50, callsPerClient: 20, rounds: 5, warmup: 1 },
  } = {},
) {
  const url = process.env.RIVYA_BENCH_DATABASE_URL ?? DEFAULT_URL;
  const schema = `rivya_bench_${process.pid}`;
  const httpSchema = `${schema}_http`;
  const admin = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
  } catch (err) {
    return { id: "pg-store", skipped: `PostgreSQL not reachable (${err.message})` };
  }
  const budget = { RIVYA_MCP_DAILY_BUDGET: "1000000000" };
  const file = ctx.spawnServer({ env: budget });
  const database = ctx.spawnServer({
    env: { ...budget, RIVYA_MCP_DATABASE_URL: `${url}?schema=${schema}` },
  });
  try {
    await file.open();
    await database.open();
    let n = 0;
    const generate = (rpc) => async () => {
      const t = performance.now();
      const r = await rpc.call("generate_video", {
        model: "kling-3-0",
        prompt: "A paper boat drifting down a rain gutter",
        client_request_id: `bench-pg-${++n}`,
      });
      const elapsed = performance.now() - t;
      if (!r.structuredContent?.task)
        throw new Error(`generate_video failed: ${JSON.stringify(r)}`);
      return { elapsed, taskId: r.structuredContent.task.task_id };
    };
    const made = await interleave(creates, warmup, generate(file), generate(database));
    const fileTask = made.a[0].taskId;
    const dbTask = made.b[0].taskId;
    const get = (rpc, taskId) => async () => {
      const t = performance.now();
      const r = await rpc.call("get_task", { task_id: taskId });
      if (!r.structuredContent?.task) throw new Error(`get_task failed: ${JSON.stringify(r)}`);
      return performance.now() - t;
    };
    const gets = await interleave(calls, warmup, get(file, fileTask), get(database, dbTask));
    // The HTTP replicas get the machine to themselves (kill is idempotent).
    await file.kill();
    await database.kill();
    const tp = await pgHttpThroughput(ctx, `${url}?schema=${httpSchema}`, http);
    const p50 = {
      get: { file: median(gets.a), postgres: median(gets.b) },
      generate: {
        file: median(made.a.map((m) => m.elapsed)),
        postgres: median(made.b.map((m) => m.elapsed)),
      },
    };
    return {
      id: "pg-store",
      calls,
      creates,
      p50,
      http: tp,
      ratios: {
        get: p50.get.postgres / p50.get.file,
        generate: p50.generate.postgres / p50.generate.file,
        throughput: tp.rps.postgres / tp.rps.file,
      },
      pass: true,
      samples: { gets, made },
    };
  } finally {
    await file.kill();
    await database.kill();
    for (const s of [schema, httpSchema])
      await admin.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`).catch(() => {});
    await admin.end();
  }
}
