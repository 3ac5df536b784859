/**
 * 1. Cold start, for each protocol generation: from spawn() until a client can use the
 * server — for 2025-11-25 `initialize` answered, then `tools/list` answered; for 2026-07-28
 * `server/discover` answered, then `tools/list`. Each request is written as soon as the
 * previous answer is read (the first straight after spawn, so it waits in the pipe while the
 * process loads). The process is then killed and reaped before the next spawn, so no two
 * processes compete for the two cores.
 *
 * An info row goes one step further, to the first tools/call answered (ours: get_task listing
 * recent tasks from the local ledger; the reference: its no-op tool): rivya-mcp answers the
 * opening before its SDK has loaded (src/transports/early-answers.ts), and this row shows
 * what a host calling a tool at once still waits for.
 *
 * The reference is bench/reference-server.mjs bundled as ours is (lib/bundle.mjs): the SDK
 * generation we ship, one tool, serveStdio. Each side keeps one state folder across its
 * spawns, as a desktop host restarting the server does; the first-ever start (the state
 * folder and its request-signing secret created and synced) is a one-off a warm-up absorbs.
 */
import { join } from "node:path";
import { allPass, atMost, interleave, median, quantile, ratio } from "../lib/stats.mjs";

const ERAS = {
  "2025-11-25": async (rpc) => {
    await rpc.initialize();
    rpc.notify("notifications/initialized");
    return rpc.listTools(false);
  },
  "2026-07-28": async (rpc) => {
    await rpc.discover();
    return rpc.listTools(true);
  },
};

async function timeToTools(spawn, open) {
  const started = performance.now();
  const rpc = spawn();
  const { tools } = await open(rpc);
  const elapsed = performance.now() - started;
  await rpc.kill();
  if (!tools?.length) throw new Error("tools/list answered without tools");
  return elapsed;
}

/** The 2025 opening, tools/list, then one tools/call of the server's first cheap tool. */
async function timeToFirstCall(spawn, tool) {
  const started = performance.now();
  const rpc = spawn();
  await ERAS["2025-11-25"](rpc);
  await rpc.call(tool);
  const elapsed = performance.now() - started;
  await rpc.kill();
  return elapsed;
}

export async function coldStart(ctx, { rounds = 15, warmup = 2, nodeArgs = [] } = {}) {
  // One state folder for all our spawns: the warm start a returning user sees.
  const env = { RIVYA_MCP_STATE_DIR: join(ctx.tmp, "state-cold-start") };
  const eras = {};
  for (const [era, open] of Object.entries(ERAS)) {
    const { a, b } = await interleave(
      rounds,
      warmup,
      () => timeToTools(() => ctx.spawnServer({ nodeArgs, env }), open),
      () => timeToTools(() => ctx.spawnReference(), open),
    );
    const server = median(a);
    const reference = median(b);
    eras[era] = {
      samples: { server: a, reference: b },
      server,
      reference,
      serverP90: quantile(a, 0.9),
      referenceP90: quantile(b, 0.9),
      ratio: server / reference,
    };
  }
  const first = await interleave(
    rounds,
    warmup,
    () => timeToFirstCall(() => ctx.spawnServer({ nodeArgs, env }), "get_task"),
    () => timeToFirstCall(() => ctx.spawnReference(), "noop"),
  );
  const firstCall = {
    samples: { server: first.a, reference: first.b },
    server: median(first.a),
    reference: median(first.b),
    ratio: median(first.a) / median(first.b),
  };
  const thresholds = Object.fromEntries(
    Object.entries(eras).map(([era, r]) => [era, atMost(r.ratio, 0.9, ratio)]),
  );
  return { id: "cold-start", eras, firstCall, thresholds, pass: allPass(thresholds), rounds };
}
