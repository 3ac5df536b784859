/**
 * 1. Cold start: from spawn() to the `initialize` answer on stdout. The request is written
 * straight after spawn, so it waits in the pipe while the process loads; the clock stops
 * when the answer is read. The process is then killed and reaped before the next spawn,
 * so no two processes compete for the two cores.
 */
import { allPass, atMost, interleave, median, quantile, ratio } from "../lib/stats.mjs";

async function timeToInitialize(spawn) {
  const started = performance.now();
  const rpc = spawn();
  await rpc.initialize();
  const elapsed = performance.now() - started;
  await rpc.kill();
  return elapsed;
}

export async function coldStart(ctx, { rounds = 15, warmup = 2, nodeArgs = [] } = {}) {
  const { a, b } = await interleave(
    rounds,
    warmup,
    () => timeToInitialize(() => ctx.spawnServer({ nodeArgs })),
    () => timeToInitialize(() => ctx.spawnReference()),
  );
  const server = median(a);
  const reference = median(b);
  const thresholds = { ratio: atMost(server / reference, 0.8, ratio) };
  return {
    id: "cold-start",
    samples: { server: a, reference: b },
    server,
    reference,
    serverP90: quantile(a, 0.9),
    referenceP90: quantile(b, 0.9),
    ratio: server / reference,
    thresholds,
    pass: allPass(thresholds),
    rounds,
  };
}
