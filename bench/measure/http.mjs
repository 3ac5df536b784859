/**
 * 5. HTTP mode. Throughput: rivya-mcp `--http` vs bench/reference-http-server.mjs (bundled
 * as ours is), for each protocol generation: `sessions` clients (2025: each with an open
 * session; 2026: stateless) that each make `callsPerSession` get_task calls one after
 * another, all clients at once; req/s = calls ÷ wall time of the round. Rounds alternate
 * A B A B; the median round counts. Memory: a fresh process of each opens
 * `idleSessions` sessions that then sit idle; the live heap (after a full GC forced through
 * the inspector, lib/heap.mjs) and RSS are read before and after, and for rivya-mcp once
 * more after its idle eviction.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { connectInspector, inspectorUrl } from "../lib/heap.mjs";
import { httpPool, McpHttpSession, spawnHttpServer } from "../lib/mcp-http.mjs";
import { allPass, atLeast, atMost, interleave, median, ratio } from "../lib/stats.mjs";

/** What one further open-and-evict cycle may add, as a share of what the sessions held. */
const CYCLE_SHARE = 0.1;

function spawnServer(ctx, { extraArgs = [], nodeArgs = [] } = {}) {
  return spawnHttpServer({
    args: [
      ...nodeArgs,
      ctx.cli,
      "--http",
      "--port",
      "0",
      "--host",
      "127.0.0.1",
      // The default 20 req/s per person would cap the benchmark, not measure it.
      "--rate-limit",
      "0",
      ...extraArgs,
    ],
    env: ctx.serverEnv(ctx.fastSim.url),
    cwd: ctx.tmp,
  });
}

function spawnReference(ctx, { nodeArgs = [] } = {}) {
  return spawnHttpServer({
    args: [...nodeArgs, ctx.referenceHttp],
    env: ctx.serverEnv(ctx.fastSim.url),
    cwd: ctx.tmp,
  });
}

async function openSessions(url, pool, n, options = {}) {
  const out = [];
  // A few at a time: opening is not what is measured, and a burst would only queue.
  for (let i = 0; i < n; i += 10) {
    const batch = Array.from({ length: Math.min(10, n - i) }, () =>
      new McpHttpSession(url, pool, options).open(),
    );
    out.push(...(await Promise.all(batch)));
  }
  return out;
}

async function round(sessions, calls, taskId) {
  const started = performance.now();
  await Promise.all(
    sessions.map(async (s) => {
      for (let i = 0; i < calls; i++) await s.call("get_task", { task_id: taskId });
    }),
  );
  return (sessions.length * calls) / ((performance.now() - started) / 1000);
}

/**
 * Both generations against the same two processes: 2025-11-25 clients each hold a session
 * (initialize, then Mcp-Session-Id); 2026-07-28 clients send self-contained requests (the
 * `_meta` envelope, no session), which both servers answer statelessly, a fresh McpServer
 * per request.
 */
const ERAS = { "2025-11-25": {}, "2026-07-28": { modern: true } };

async function throughput(ctx, { sessions, callsPerSession, rounds, warmup }) {
  const a = spawnServer(ctx);
  const b = spawnReference(ctx);
  const aUrl = await a.url;
  const bUrl = await b.url;
  const aPool = httpPool(aUrl);
  const bPool = httpPool(bUrl);
  try {
    // In hosted mode get_task answers only for tasks in the caller's ledger: create one.
    const setup = await new McpHttpSession(aUrl, aPool).open();
    const gen = await setup.call("generate_video", {
      model: "kling-3-0",
      prompt: "Waves folding onto a pebble beach",
      client_request_id: `bench-http-${Date.now()}`,
    });
    const taskId = gen.structuredContent.task.task_id;
    const out = {};
    for (const [era, options] of Object.entries(ERAS)) {
      const aSessions = await openSessions(aUrl, aPool, sessions, options);
      const bSessions = await openSessions(bUrl, bPool, sessions, options);
      const { a: as, b: bs } = await interleave(
        rounds,
        warmup,
        () => round(aSessions, callsPerSession, taskId),
        () => round(bSessions, callsPerSession, taskId),
      );
      out[era] = {
        server: median(as),
        reference: median(bs),
        ratio: median(as) / median(bs),
        rounds: { server: as, reference: bs },
      };
    }
    return out;
  } finally {
    await aPool.close();
    await bPool.close();
    await a.kill();
    await b.kill();
  }
}

async function idleMemory(spawnIt, n, { evictAfterSeconds } = {}) {
  const proc = spawnIt(["--inspect=127.0.0.1:0"]);
  const url = await proc.url;
  const inspector = await connectInspector(inspectorUrl(proc.head()));
  const pool = httpPool(url, 16);
  try {
    // One session first, listed and used, so code loaded on first use is in the baseline.
    const warm = await new McpHttpSession(url, pool).open();
    await warm.request("tools/list", {});
    const base = await inspector.liveHeap(proc.pid);
    const sessions = await openSessions(url, pool, n);
    const open = await inspector.liveHeap(proc.pid);
    const out = {
      perSessionHeap: (open.live - base.live) / n,
      perSessionRss: (open.rss - base.rss) / n,
      base,
      open,
    };
    if (evictAfterSeconds !== undefined) {
      await sleep(evictAfterSeconds * 1000);
      const after = await inspector.liveHeap(proc.pid);
      // An evicted session's id must now be unknown to the server.
      const probe = await sessions[0].post({ jsonrpc: "2.0", id: 99, method: "tools/list" });
      // A second open-and-evict cycle: a leak grows the heap again by what a cycle leaves;
      // one-time growth (JIT code and feedback for the paths just used) does not repeat.
      await openSessions(url, pool, n);
      await sleep(evictAfterSeconds * 1000);
      const again = await inspector.liveHeap(proc.pid);
      Object.assign(out, {
        after,
        again,
        afterEviction: after.live - base.live,
        perCycle: again.live - after.live,
        evicted: probe.status === 404,
      });
    }
    return out;
  } finally {
    inspector.close();
    await pool.close();
    await proc.kill();
  }
}

export async function httpMode(
  ctx,
  {
    sessions = 50,
    callsPerSession = 40,
    rounds = 5,
    warmup = 1,
    idleSessions = 200,
    idleSeconds = 2,
  } = {},
) {
  const tp = await throughput(ctx, { sessions, callsPerSession, rounds, warmup });
  const mem = await idleMemory(
    (nodeArgs) =>
      spawnServer(ctx, { nodeArgs, extraArgs: ["--session-idle-seconds", String(idleSeconds)] }),
    idleSessions,
    // Idle time, plus a sweep (every idle/2), plus slack.
    { evictAfterSeconds: idleSeconds * 1.5 + 1.5 },
  );
  const ref = await idleMemory((nodeArgs) => spawnReference(ctx, { nodeArgs }), idleSessions);
  const held = mem.open.live - mem.base.live;
  const thresholds = {
    ...Object.fromEntries(
      Object.entries(tp).map(([era, t]) => [`throughput ${era}`, atLeast(t.ratio, 0.95, ratio)]),
    ),
    perSession: atMost(mem.perSessionHeap, 100 * 1024, (v) => `${v / 1024} KiB`),
    eviction: {
      target: `evicted; per cycle ≤ ${CYCLE_SHARE * 100}% of what the sessions held`,
      pass: mem.evicted === true && mem.perCycle <= CYCLE_SHARE * held,
    },
  };
  return {
    id: "http",
    sessions,
    callsPerSession,
    idleSessions,
    eras: tp,
    perSession: mem.perSessionHeap,
    perSessionRss: mem.perSessionRss,
    referencePerSession: ref.perSessionHeap,
    referencePerSessionRss: ref.perSessionRss,
    afterEviction: mem.afterEviction,
    perCycle: mem.perCycle,
    evicted: mem.evicted,
    memory: { server: mem, reference: ref },
    thresholds,
    pass: allPass(thresholds),
  };
}
