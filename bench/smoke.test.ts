/**
 * The benchmark suite runs end to end on tiny inputs (`bench/run.mjs --quick`): every
 * measurement completes and reports its row. Figures are not checked — on a shared CI
 * machine they mean nothing — only that the scripts work, so `npm run bench` cannot rot.
 */
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "rivya-bench-smoke-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["bench/run.mjs", ...args], {
      env: { PATH: process.env.PATH ?? "", HOME: dir },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    child.once("error", reject);
    child.once("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("npm run bench", () => {
  it("runs every measurement on tiny inputs and reports each row", async () => {
    const json = join(dir, "results.json");
    const { code, stdout, stderr } = await run(["--quick", "--no-write", "--json", json]);
    expect(code, stderr).toBe(0);
    const { results, machine } = JSON.parse(await readFile(json, "utf8"));
    expect(machine.node).toBe(process.version);
    const byId = Object.fromEntries(results.map((r: { id: string }) => [r.id, r]));
    expect(Object.keys(byId).sort()).toEqual(
      [
        "cold-start",
        "http",
        "ledger",
        "pg-store",
        "polling",
        "tool-call",
        "tool-defs",
        "upload",
      ].sort(),
    );
    for (const r of results) expect(r.error, `${r.id}: ${r.error}`).toBeUndefined();

    for (const era of ["2025-11-25", "2026-07-28"]) {
      expect(byId["cold-start"].eras[era].server).toBeGreaterThan(0);
      expect(byId["cold-start"].eras[era].reference).toBeGreaterThan(0);
      expect(byId.http.eras[era].server).toBeGreaterThan(0);
      expect(byId.http.eras[era].reference).toBeGreaterThan(0);
    }
    expect(byId["cold-start"].firstCall.server).toBeGreaterThan(0);
    expect(byId["cold-start"].firstCall.reference).toBeGreaterThan(0);
    expect(byId["tool-call"].server.p50).toBeGreaterThan(0);
    expect(byId["tool-defs"].perTool.map((t: { name: string }) => t.name)).toEqual([
      "list_models",
      "upload_reference",
      "generate_video",
      "get_task",
    ]);
    expect(byId.upload.server.mibps).toBeGreaterThan(0);
    expect(byId.polling.status).toBe("succeeded");
    expect(byId.polling.checks).toBeGreaterThan(0);
    expect(byId.http.evicted).toBe(true);
    expect(byId.ledger.first.large).toBeGreaterThan(0);
    // Row 8 needs PostgreSQL; without it the row says why it was skipped.
    const pg = byId["pg-store"];
    if (!pg.skipped) expect(pg.http.rps.postgres).toBeGreaterThan(0);

    // BENCHMARKS.md is written only by full runs: render it here so its details cannot rot.
    // A plain JS module without types: imported by a path the type checker does not follow.
    const report: string = "./report.mjs";
    const { renderMarkdown } = await import(report);
    const markdown: string = await renderMarkdown(results, machine);
    expect(markdown).toContain("**Polling**");
    if (!pg.skipped) expect(markdown).toContain("**PostgreSQL store**");

    for (const label of [
      "1. Cold start",
      "2. get_task over stdio, p50",
      "3. tools/list JSON",
      "4. Upload",
      "5. HTTP get_task",
      "5. HTTP live heap per idle session",
      "6. Polling",
      "7. Ledger of 200 tasks vs empty: first generate_video",
      "8. PostgreSQL store vs file store",
    ])
      expect(stdout).toContain(label);
  }, 60_000);
});
