/** Turns measurement results into the console table and BENCHMARKS.md. */
import { readFile } from "node:fs/promises";
import { bytes, ms, num, ratio } from "./lib/stats.mjs";

/** The target and result cells of a threshold, as its measurement stated and judged it. */
const judged = ({ target, pass }) => [target, pass ? "pass" : "**MISS**"];

/** One or more table rows per result: [benchmark, rivya-mcp, reference, ratio, target, result]. */
function rows(r) {
  if (r.error) return [[r.id, `error: ${r.error.split("\n")[0]}`, "", "", "", "**ERROR**"]];
  switch (r.id) {
    case "cold-start":
      return [
        ...Object.entries(r.eras).map(([era, e]) => [
          `1. Cold start ${era}, spawn → ${era.startsWith("2025") ? "initialize" : "server/discover"} + tools/list (median)`,
          ms(e.server),
          ms(e.reference),
          ratio(e.ratio),
          ...judged(r.thresholds[era]),
        ]),
        [
          "1. Cold start 2025-11-25, spawn → initialize + tools/list + first tools/call (median)",
          ms(r.firstCall.server),
          ms(r.firstCall.reference),
          ratio(r.firstCall.ratio),
          "—",
          "info",
        ],
      ];
    case "tool-call":
      return [
        [
          "2. get_task over stdio, p50",
          ms(r.server.p50),
          ms(r.reference.p50),
          ratio(r.ratio),
          ...judged(r.thresholds.p50),
        ],
        [
          "2. get_task over stdio, p99",
          ms(r.server.p99),
          ms(r.reference.p99),
          ratio(r.ratioP99),
          "—",
          "info",
        ],
      ];
    case "tool-defs":
      return [
        [
          "3. tools/list JSON",
          `${num(r.bytes)} B (≈ ${num(r.tokens)} tokens)`,
          "—",
          "—",
          ...judged(r.thresholds.bytes),
        ],
      ];
    case "upload":
      return [
        [
          `4. Upload ${bytes(r.size)} PNG, throughput (median)`,
          `${num(r.server.mibps, 1)} MiB/s`,
          `${num(r.reference.mibps, 1)} MiB/s`,
          ratio(r.ratio),
          ...judged(r.thresholds.throughput),
        ],
        [
          "4. Upload, peak RSS growth (worst run)",
          `${bytes(r.server.growth)} (${ratio(r.memoryShare)} file)`,
          `${bytes(r.reference.growth)} (${ratio(r.reference.growth / r.size)} file)`,
          "—",
          ...judged(r.thresholds.memory),
        ],
        [
          "4. Upload, file bytes held (peak read − sent)",
          `${bytes(r.server.held)} (${ratio(r.heldShare)} file)`,
          `${bytes(r.reference.held)}; buffered: ${bytes(r.buffered.held)}`,
          "—",
          ...judged(r.thresholds.held),
        ],
      ];
    case "http":
      return [
        ...Object.entries(r.eras).map(([era, e]) => [
          `5. HTTP get_task ${era}, ${r.sessions} ${era.startsWith("2025") ? "sessions" : "stateless clients"} (req/s, median)`,
          num(e.server),
          num(e.reference),
          ratio(e.ratio),
          ...judged(r.thresholds[`throughput ${era}`]),
        ]),
        [
          `5. HTTP live heap per idle session (${r.idleSessions} sessions)`,
          bytes(r.perSession),
          bytes(r.referencePerSession),
          "—",
          ...judged(r.thresholds.perSession),
        ],
        [
          `5. HTTP after idle eviction: live heap vs before; growth per further cycle of ${r.idleSessions}`,
          `${r.evicted ? "evicted" : "NOT evicted"}; ${signed(r.afterEviction)}; ${signed(r.perCycle)}/cycle`,
          "— (never evicts)",
          "—",
          ...judged(r.thresholds.eviction),
        ],
      ];
    case "polling":
      return [
        [
          `6. Polling: GETs while waiting on a ${r.duration} s task`,
          `${r.checks} (at ${r.checkTimes.map((t) => t.toFixed(1)).join(", ")} s)`,
          `${r.minimum} (minimum)`,
          `${r.checks - r.minimum >= 0 ? "+" : ""}${r.checks - r.minimum}`,
          ...judged(r.thresholds.checks),
        ],
      ];
    case "ledger":
      return [
        [
          "start-up, spawn → ready (SDK loaded, store open) (median)",
          r.start,
          r.ratios.start,
          r.thresholds.start,
        ],
        ["get_task task list, p50", r.list, r.ratios.list, r.thresholds.list],
        [
          "first generate_video after a start (median)",
          r.first,
          r.ratios.first,
          r.thresholds.first,
        ],
      ].map(([what, pair, x, t]) => [
        `7. Ledger of ${num(r.tasks)} tasks vs empty: ${what}`,
        ms(pair.large),
        `${ms(pair.empty)} (${what.startsWith("get_task") ? "20 tasks" : "empty"})`,
        ratio(x),
        ...judged(t),
      ]);
    case "pg-store":
      if (r.skipped)
        return [["8. PostgreSQL store vs file store", r.skipped, "", "", "", "skipped"]];
      return [
        ["get_task, p50", r.p50.get, r.ratios.get],
        [
          "generate_video with a daily budget (check-and-reserve + create), p50",
          r.p50.generate,
          r.ratios.generate,
        ],
      ]
        .map(([what, pair, x]) => [
          `8. PostgreSQL store vs file store: ${what}`,
          ms(pair.postgres),
          `${ms(pair.file)} (file)`,
          ratio(x),
          "—",
          "info",
        ])
        .concat([
          [
            `8. PostgreSQL store vs file store: HTTP get_task, stateless replica, ${r.http.clients} clients (req/s, median)`,
            num(r.http.rps.postgres),
            `${num(r.http.rps.file)} (file)`,
            ratio(r.ratios.throughput),
            "—",
            "info",
          ],
        ]);
    default:
      return [[r.id, JSON.stringify(r), "", "", "", ""]];
  }
}

const signed = (v) => `${v >= 0 ? "+" : "−"}${bytes(Math.abs(v))}`;

const HEADER = ["benchmark", "rivya-mcp", "reference", "ratio", "target", "result"];

/** Rows in the issue's numbering, whatever order the measurements ran in. */
const ORDER = [
  "cold-start",
  "tool-call",
  "tool-defs",
  "upload",
  "http",
  "polling",
  "ledger",
  "pg-store",
];
const ordered = (results) => [...results].sort((a, b) => ORDER.indexOf(a.id) - ORDER.indexOf(b.id));

export function markdownTable(results) {
  const lines = [`| ${HEADER.join(" | ")} |`, `|${HEADER.map(() => "---").join("|")}|`];
  for (const r of ordered(results)) for (const row of rows(r)) lines.push(`| ${row.join(" | ")} |`);
  return lines.join("\n");
}

export function renderTable(results, info, { quick }) {
  const head = `rivya-mcp benchmarks — ${info.cpu}, ${info.cores} cores, ${info.memoryGiB.toFixed(1)} GiB, Node ${info.node}, ${info.date}${quick ? " (QUICK: figures meaningless)" : ""}`;
  return `${head}\n\n${markdownTable(results)}`;
}

function details(results) {
  const out = [];
  const by = Object.fromEntries(results.map((r) => [r.id, r]));
  const c = by["cold-start"];
  if (c && !c.error) {
    const eras = Object.entries(c.eras).map(
      ([era, e]) =>
        `${era}: rivya-mcp median ${ms(e.server)} (p90 ${ms(e.serverP90)}), reference median ${ms(e.reference)} (p90 ${ms(e.referenceP90)})`,
    );
    out.push(
      `**Cold start** (${c.rounds} pairs per protocol generation; the reference is bench/reference-server.mjs bundled by esbuild as rivya-mcp is): ${eras.join("; ")}. rivya-mcp answers the opening before its SDK has loaded (src/transports/early-answers.ts); to the first tools/call (get_task listing recent tasks; the reference's no-op tool) it took ${ms(c.firstCall.server)} against ${ms(c.firstCall.reference)}.`,
    );
  }
  const t = by["tool-call"];
  if (t && !t.error) {
    out.push(
      `**Tool call** (${t.iterations} iterations): get_task p50 ${ms(t.server.p50)} / p99 ${ms(t.server.p99)}; reference = no-op call (p50 ${ms(t.noop.p50)}, p99 ${ms(t.noop.p99)}) + direct GET (p50 ${ms(t.get.p50)}, p99 ${ms(t.get.p99)}).`,
    );
  }
  const d = by["tool-defs"];
  if (d && !d.error) {
    out.push(
      `**tools/list by tool** (bytes of each tool's JSON; input schema / output schema / description): ${d.perTool
        .map(
          (p) =>
            `\`${p.name}\` ${num(p.bytes)} (${num(p.input)} / ${num(p.output)} / ${num(p.description)})`,
        )
        .join(", ")}.`,
    );
  }
  const u = by.upload;
  if (u && !u.error) {
    const list = (xs) => xs.map(bytes).join(", ");
    out.push(
      `**Upload** (${u.rounds} pairs, ${num(u.size)} bytes, peak RSS by ${u.memoryMethod}): rivya-mcp median ${ms(u.server.ms)}, RSS growth per run ${list(u.server.growths)}, bytes held at most ${bytes(u.server.held)}; reference median ${ms(u.reference.ms)}, RSS growth per run ${list(u.reference.growths)}, bytes held at most ${bytes(u.reference.held)}; buffered calibration: RSS growth ${list(u.buffered.growths)}, bytes held ${bytes(u.buffered.held)}.`,
    );
  }
  const h = by.http;
  if (h && !h.error) {
    out.push(
      `**HTTP** (${h.sessions} clients × ${h.callsPerSession} sequential get_task calls per round; the reference is bench/reference-http-server.mjs bundled as rivya-mcp is): ${Object.entries(
        h.eras,
      )
        .map(
          ([era, e]) =>
            `${era}: rivya-mcp rounds ${e.rounds.server.map((x) => num(x)).join(", ")} req/s, reference rounds ${e.rounds.reference.map((x) => num(x)).join(", ")} req/s`,
        )
        .join(
          "; ",
        )}. Idle sessions (${h.idleSessions}): live heap per session ${bytes(h.perSession)} (RSS ${bytes(h.perSessionRss)}) vs reference ${bytes(h.referencePerSession)} (RSS ${bytes(h.referencePerSessionRss)}).`,
    );
  }
  const p = by.polling;
  if (p && !p.error) {
    out.push(
      `**Polling**: task ${p.duration} s (simulator queued+processing), wait_seconds ${p.waitSeconds}; the call returned after ${p.callSeconds.toFixed(1)} s with status ${p.status}. Checks at ${p.checkTimes.map((x) => `${x.toFixed(2)} s`).join(", ")} after the POST reached the simulator. Guidance-compliant pollers make between ${p.minimum} (3 s, then every 10 s) and ${p.fastest} (2 s, then every 5 s) checks for this duration.`,
    );
  }
  const l = by.ledger;
  if (l && !l.error) {
    out.push(
      `**Ledger growth** (${num(l.tasks)} tasks vs an empty ledger; ${l.rounds} interleaved start-ups and first calls, ${l.calls} list calls): start-up ${ms(l.start.large)} vs ${ms(l.start.empty)}, task list p50 ${ms(l.list.large)} vs ${ms(l.list.empty)}, first generate_video ${ms(l.first.large)} vs ${ms(l.first.empty)}; idle RSS after the list calls ${bytes(l.rss.large)} vs ${bytes(l.rss.empty)}.`,
    );
  }
  const pgRow = by["pg-store"];
  if (pgRow && !pgRow.error && !pgRow.skipped) {
    out.push(
      `**PostgreSQL store** (the local server; ${pgRow.creates} interleaved budget-checked generate_video calls and ${pgRow.calls} get_task calls per store over stdio): get_task p50 ${ms(pgRow.p50.get.postgres)} vs ${ms(pgRow.p50.get.file)} with the file store; generate_video p50 ${ms(pgRow.p50.generate.postgres)} vs ${ms(pgRow.p50.generate.file)}. Over HTTP (${pgRow.http.clients} clients × ${pgRow.http.callsPerClient} sequential get_task calls per round): PostgreSQL rounds ${pgRow.http.rounds.postgres.map((x) => num(x)).join(", ")} req/s; file store rounds ${pgRow.http.rounds.file.map((x) => num(x)).join(", ")} req/s.`,
    );
  }
  return out.join("\n\n");
}

export async function renderMarkdown(results, info) {
  const method = await readFile(new URL("./METHOD.md", import.meta.url), "utf8");
  const notes = await readFile(new URL("./NOTES.md", import.meta.url), "utf8").catch(() => "");
  return `# Benchmarks

<!-- Generated by \`npm run bench\` (bench/run.mjs); edit bench/METHOD.md or bench/NOTES.md, not this file. -->

Measured ${info.date} on ${info.cpu}, ${info.cores} cores, ${info.memoryGiB.toFixed(1)} GiB RAM, ${info.os}, Node ${info.node}.
Every ratio is rivya-mcp ÷ a reference measured in the same run, interleaved (A B A B …);
figures are medians unless a row says otherwise.

${markdownTable(results)}

${details(results)}

${notes.trim()}

${method.trim()}
`;
}
