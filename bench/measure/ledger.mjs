/**
 * 7. The ledger as it grows: the same server started on an empty state folder and on one
 * whose ledger holds 20,000 tasks (written in the ledger's own line format), side by side,
 * interleaved. Three figures, each large ÷ empty:
 * - start-up: spawn → the server's "ready" log line, once its SDK and tools are loaded and its
 *   store is open (the opening itself is answered before that, so it would not show whether
 *   opening the store reads the ledger; it must not);
 * - get_task without task_id (the recent-task list) p50, on a long-lived process of each,
 *   after a few untimed calls; the baseline ledger holds just the 20 tasks a list shows, so
 *   both answers are the same size and only the ledger's size differs;
 * - the first generate_video once the server is ready (a fresh process each round, timed from
 *   its "ready" log line, so loading the SDK is not counted): what it needs from the ledger
 *   (the client_request_id, today's spend) before the load is done.
 * Idle RSS of the long-lived processes is reported for information.
 */
import { copyFile, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { procStatus } from "../lib/mem.mjs";
import { allPass, atMost, interleave, median, ratio } from "../lib/stats.mjs";

const DAY = 86_400_000;
/** Tasks one get_task list shows (src/tools/get-task.ts). */
const LISTED = 20;

/** One finished task as the ledger stores it; n spreads them over the last 60 days. */
function task(n, count, now) {
  const created = new Date(now - 60 * DAY + (n / count) * 60 * DAY - 60_000).toISOString();
  const failed = n % 10 === 0;
  return {
    id: `gen_${n.toString(36).padStart(8, "0")}`,
    owner: "local",
    client_request_id: `history-${n}`,
    idempotency_key: `rmcp_${n.toString(16).padStart(40, "0")}`,
    provider: "rivya",
    model: "kling-3-0",
    request_hash: n.toString(16).padStart(64, "0"),
    settings: { duration: 5, aspect_ratio: "16:9", mode: "std" },
    prompt_snippet: "A paper boat drifting down a rain gutter, late afternoon light",
    quote_credits: 90,
    state: "created",
    task_id: `task_${n.toString(36).padStart(10, "0")}`,
    status: failed ? "failed" : "succeeded",
    reserved_credits: 90,
    final_credits: failed ? 0 : 90,
    result_urls: failed ? [] : [`https://cdn.rivya.ai/results/task_${n}.mp4`],
    error: failed ? { code: "generation_failed", message: "The model could not render it" } : null,
    created_at: created,
    updated_at: created,
  };
}

async function writeLedger(path, count) {
  if (count === 0) return;
  const now = Date.now();
  const lines = [];
  for (let n = 0; n < count; n++) lines.push(`${JSON.stringify(task(n, count, now))}\n`);
  await writeFile(path, lines.join(""), { mode: 0o600 });
}

export async function ledgerGrowth(
  ctx,
  { tasks = 20_000, rounds = 10, warmup = 1, calls = 200 } = {},
) {
  const templates = {
    large: join(ctx.tmp, "ledger-large.jsonl"),
    // The list baseline holds just the tasks one list shows, so both answers are the same size.
    listed: join(ctx.tmp, "ledger-listed.jsonl"),
  };
  await writeLedger(templates.large, tasks);
  await writeLedger(templates.listed, LISTED);
  let dirs = 0;
  /** A fresh state folder: empty, or holding a copy of one of the templates. */
  const stateDir = async (template) => {
    const dir = join(ctx.tmp, `ledger-state-${++dirs}`);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    if (template) await copyFile(templates[template], join(dir, "ledger.jsonl"));
    return { RIVYA_MCP_STATE_DIR: dir };
  };

  const startUp = async (template) => {
    const env = await stateDir(template);
    const started = performance.now();
    const rpc = ctx.spawnServer({ env });
    await rpc.open();
    await rpc.ready();
    const elapsed = performance.now() - started;
    await rpc.kill();
    return elapsed;
  };
  const start = await interleave(
    rounds,
    warmup,
    () => startUp(),
    () => startUp("large"),
  );

  let round = 0;
  const firstWrite = async (template) => {
    const rpc = ctx.spawnServer({ env: await stateDir(template) });
    try {
      await rpc.open();
      await rpc.ready();
      const started = performance.now();
      const gen = await rpc.call("generate_video", {
        model: "kling-3-0",
        prompt: "A paper boat drifting down a rain gutter",
        client_request_id: `bench-first-${++round}`,
      });
      const elapsed = performance.now() - started;
      if (!gen.structuredContent?.task)
        throw new Error(`generate_video failed: ${JSON.stringify(gen)}`);
      return elapsed;
    } finally {
      await rpc.kill();
    }
  };
  const first = await interleave(
    rounds,
    warmup,
    () => firstWrite(),
    () => firstWrite("large"),
  );

  const empty = ctx.spawnServer({ env: await stateDir("listed") });
  const large = ctx.spawnServer({ env: await stateDir("large") });
  try {
    await empty.open();
    await large.open();
    const list = (rpc) => async () => {
      const t = performance.now();
      const got = await rpc.call("get_task", {});
      const elapsed = performance.now() - t;
      if (!Array.isArray(got.structuredContent?.recent_tasks)) throw new Error("no task list");
      return elapsed;
    };
    const lists = await interleave(calls, 5, list(empty), list(large));
    const rss = { empty: procStatus(empty.pid).rss, large: procStatus(large.pid).rss };

    const ratios = {
      start: median(start.b) / median(start.a),
      list: median(lists.b) / median(lists.a),
      first: median(first.b) / median(first.a),
    };
    const thresholds = {
      start: atMost(ratios.start, 1.1, ratio),
      list: atMost(ratios.list, 1.3, ratio),
      first: atMost(ratios.first, 2, ratio),
    };
    return {
      id: "ledger",
      tasks,
      rounds,
      calls,
      start: { empty: median(start.a), large: median(start.b) },
      list: { empty: median(lists.a), large: median(lists.b) },
      first: { empty: median(first.a), large: median(first.b) },
      rss,
      ratios,
      thresholds,
      pass: allPass(thresholds),
      samples: { start, first, lists },
    };
  } finally {
    await empty.kill();
    await large.kill();
  }
}
