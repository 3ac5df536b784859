/** The unit of daily budgets when two providers have keys: dollars, or a refusal to start. */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";

const state = mkdtempSync(join(tmpdir(), "rivya-mcp-budget-"));
afterAll(() => rmSync(state, { recursive: true, force: true }));

function start(args: string[]) {
  return spawnSync(process.execPath, ["dist/cli.js", ...args], {
    encoding: "utf8",
    input: "",
    timeout: 20_000,
    env: {
      PATH: process.env.PATH,
      RIVYA_API_KEY: "rvya_sk_budget_test",
      EVOLINK_API_KEY: "sk-evo-budget-test",
      // Nothing is called: the servers below stop at once (stdin closes) or refuse to start.
      RIVYA_BASE_URL: "http://127.0.0.1:9",
      EVOLINK_BASE_URL: "http://127.0.0.1:9",
      RIVYA_MCP_STATE_DIR: state,
    },
  });
}

it("refuses a credit budget that two providers' keys make ambiguous, naming the fix", () => {
  const r = start(["--daily-budget", "100"]);
  expect(r.status).not.toBe(0);
  expect(r.stderr).toContain("daily budgets are ambiguous: rivya and evolink both have keys");
  expect(r.stderr).toContain("--usd-per-credit for rivya, evolink");
  expect(r.stdout).toBe("");
});

it("starts with the budget in dollars once every keyed provider has a rate", () => {
  const r = start(["--daily-budget", "5", "--usd-per-credit", "rivya=0.01,evolink=0.0139"]);
  expect(r.stderr).not.toContain("ambiguous");
  expect(r.status).toBe(0);
});
