/**
 * Row 8, over HTTP: get_task throughput of a hosted replica on the PostgreSQL store against
 * the same server on the file store. Both run as the README's replicas do (`--http
 * --stateless`, a tokens file), with `--rate-limit 0` so the limiter does not cap what is
 * measured. `clients` clients of one person each make `callsPerClient` get_task calls one
 * after another, all clients at once; req/s = calls ÷ wall time of the round. Rounds
 * alternate file, PostgreSQL, file, …; the median round counts.
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { httpPool, McpHttpSession, spawnHttpServer } from "../lib/mcp-http.mjs";
import { interleave, median } from "../lib/stats.mjs";

const run = promisify(execFile);

/** A tokens file with one person; returns its path and the token. */
async function tokensFile(ctx) {
  const file = join(ctx.tmp, `tokens-pg-http-${process.pid}.json`);
  const { stdout } = await run(process.execPath, [
    ctx.cli,
    "token",
    "create",
    "--name",
    "bench",
    "--tokens-file",
    file,
  ]);
  return { file, token: stdout.trim() };
}

function spawnReplica(ctx, tokens, env = {}) {
  return spawnHttpServer({
    args: [
      ctx.cli,
      "--http",
      "--stateless",
      "--port",
      "0",
      "--host",
      "127.0.0.1",
      "--tokens-file",
      tokens,
      "--rate-limit",
      "0",
    ],
    env: ctx.serverEnv(ctx.fastSim.url, env),
    cwd: ctx.tmp,
  });
}

/** One server's side: its url, a pool, a task of the person's own, and the clients. */
async function side(proc, token, clients) {
  const url = await proc.url;
  const pool = httpPool(url);
  const client = () => new McpHttpSession(url, pool, { token, stateless: true });
  const gen = await client().call("generate_video", {
    model: "kling-3-0",
    prompt: "Steam rising from a cup on a cold balcony",
    client_request_id: `bench-pg-http-${proc.pid}`,
  });
  const taskId = gen.structuredContent?.task?.task_id;
  if (!taskId) throw new Error(`generate_video failed: ${JSON.stringify(gen)}`);
  return { pool, taskId, clients: Array.from({ length: clients }, client) };
}

async function round({ clients, taskId }, calls) {
  const started = performance.now();
  await Promise.all(
    clients.map(async (c) => {
      for (let i = 0; i < calls; i++) {
        const r = await c.call("get_task", { task_id: taskId });
        if (!r.structuredContent?.task) throw new Error(`get_task failed: ${JSON.stringify(r)}`);
      }
    }),
  );
  return (clients.length * calls) / ((performance.now() - started) / 1000);
}

/** `databaseUrl` already names the schema to use (`?schema=`). */
export async function pgHttpThroughput(
  ctx,
  databaseUrl,
  { clients, callsPerClient, rounds, warmup },
) {
  const { file: tokens, token } = await tokensFile(ctx);
  const file = spawnReplica(ctx, tokens);
  const database = spawnReplica(ctx, tokens, { RIVYA_MCP_DATABASE_URL: databaseUrl });
  const pools = [];
  try {
    const f = await side(file, token, clients);
    pools.push(f.pool);
    const d = await side(database, token, clients);
    pools.push(d.pool);
    const { a, b } = await interleave(
      rounds,
      warmup,
      () => round(f, callsPerClient),
      () => round(d, callsPerClient),
    );
    return {
      clients,
      callsPerClient,
      rps: { file: median(a), postgres: median(b) },
      rounds: { file: a, postgres: b },
    };
  } finally {
    await Promise.all(pools.map((p) => p.close()));
    await file.kill();
    await database.kill();
  }
}
