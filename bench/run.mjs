#!/usr/bin/env node
/**
 * `npm run bench`: runs every measurement under bench/measure/, prints a table and
 * rewrites BENCHMARKS.md. Needs a built dist/ (npm run bench builds first).
 *
 *   node bench/run.mjs [--quick] [--no-write] [--only cold-start,tool-call,...] [--json FILE]
 *
 * --quick runs one tiny iteration of each (for the smoke test); its figures mean nothing.
 */
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createContext, ROOT } from "./lib/context.mjs";
import { machine } from "./lib/machine.mjs";
import { coldStart } from "./measure/cold-start.mjs";
import { httpMode } from "./measure/http.mjs";
import { ledgerGrowth } from "./measure/ledger.mjs";
import { pgStore } from "./measure/pg-store.mjs";
import { polling } from "./measure/polling.mjs";
import { toolCall } from "./measure/tool-call.mjs";
import { toolDefs } from "./measure/tool-defs.mjs";
import { upload } from "./measure/upload.mjs";
import { renderMarkdown, renderTable } from "./report.mjs";

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    "no-write": { type: "boolean", default: false },
    only: { type: "string" },
    json: { type: "string" },
  },
});
const quick = values.quick;

/** Sizes for a real run and for the smoke test. */
const PLAN = [
  [
    "cold-start",
    (ctx) => coldStart(ctx, quick ? { rounds: 1, warmup: 0 } : { rounds: 15, warmup: 2 }),
  ],
  [
    "tool-call",
    (ctx) => toolCall(ctx, quick ? { iterations: 5, warmup: 1 } : { iterations: 600, warmup: 100 }),
  ],
  ["tool-defs", (ctx) => toolDefs(ctx)],
  [
    "upload",
    (ctx) =>
      upload(
        ctx,
        quick ? { rounds: 1, warmup: 0, sizeBytes: 256 * 1024 } : { rounds: 6, warmup: 1 },
      ),
  ],
  [
    "polling",
    (ctx) =>
      polling(
        ctx,
        quick
          ? { queuedMs: 500, processingMs: 1000, waitSeconds: 8 }
          : { queuedMs: 3000, processingMs: 9000, waitSeconds: 20 },
      ),
  ],
  [
    "ledger",
    (ctx) =>
      ledgerGrowth(
        ctx,
        quick
          ? { tasks: 200, rounds: 1, warmup: 0, calls: 3 }
          : { tasks: 20_000, rounds: 10, warmup: 1, calls: 200 },
      ),
  ],
  [
    "pg-store",
    (ctx) =>
      pgStore(
        ctx,
        quick
          ? {
              calls: 3,
              creates: 2,
              warmup: 0,
              http: { clients: 3, callsPerClient: 2, rounds: 1, warmup: 0 },
            }
          : { calls: 300, creates: 60 },
      ),
  ],
  [
    "http",
    (ctx) =>
      httpMode(
        ctx,
        quick
          ? {
              sessions: 3,
              callsPerSession: 2,
              rounds: 1,
              warmup: 0,
              idleSessions: 5,
              idleSeconds: 1,
            }
          : { sessions: 50, callsPerSession: 40, rounds: 5, warmup: 1, idleSessions: 200 },
      ),
  ],
];

if (!existsSync(join(ROOT, "dist/cli.js"))) {
  process.stderr.write("dist/cli.js is missing: run `npm run build` first (npm run bench does).\n");
  process.exit(1);
}

const only = values.only ? new Set(values.only.split(",")) : undefined;
const log = (line) => process.stderr.write(`${line}\n`);
const ctx = await createContext();
const results = [];
try {
  for (const [id, run] of PLAN) {
    if (only && !only.has(id)) continue;
    log(`bench: ${id} …`);
    const started = performance.now();
    try {
      const r = await run(ctx);
      r.seconds = (performance.now() - started) / 1000;
      results.push(r);
    } catch (err) {
      results.push({ id, error: err instanceof Error ? err.message : String(err) });
      log(`bench: ${id} failed: ${err instanceof Error ? err.stack : err}`);
    }
  }
} finally {
  await ctx.close();
}

const info = machine();
process.stdout.write(`${renderTable(results, info, { quick })}\n`);
if (values.json)
  await writeFile(values.json, JSON.stringify({ machine: info, quick, results }, null, 2));
if (!values["no-write"] && !quick && !only) {
  await writeFile(join(ROOT, "BENCHMARKS.md"), await renderMarkdown(results, info));
  log("bench: BENCHMARKS.md rewritten");
} else if (!values["no-write"]) {
  log("bench: BENCHMARKS.md left alone (--quick or --only runs are partial)");
}
process.exitCode = results.some((r) => r.error) ? 1 : 0;
