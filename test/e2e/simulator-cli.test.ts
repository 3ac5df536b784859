/** `rivya-mcp simulate` flags and help, the top-level help, and `--port` without `--http`. */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, newKey } from "../fixtures/sim-http.js";

const run = promisify(execFile);
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "rivya-sim-cli-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Runs the CLI to completion; a non-zero exit is returned, not thrown. */
async function cli(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run(process.execPath, ["dist/cli.js", ...args], {
      env: { PATH: process.env.PATH ?? "", HOME: "/home/someone", ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** Starts `simulate` and resolves with its URL once it says it is listening. */
function startSimulate(args: string[]): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ["dist/cli.js", "simulate", ...args], { stdio: "pipe" });
  return new Promise((resolve, reject) => {
    let err = "";
    child.stderr.on("data", (chunk: Buffer) => {
      err += chunk.toString();
      const url = /listening on (http:\/\/\S+) /.exec(err)?.[1];
      if (url) resolve({ url, child });
    });
    child.once("exit", (code) => reject(new Error(`simulate exited ${code}: ${err}`)));
  });
}

describe("rivya-mcp simulate", () => {
  it("--help lists every flag", async () => {
    const { code, stdout } = await cli(["simulate", "--help"]);
    expect(code).toBe(0);
    for (const flag of [
      "--port",
      "--credits",
      "--queued-ms",
      "--processing-ms",
      "--latency-ms",
      "--failure-rate",
      "--state-dir",
    ]) {
      expect(stdout).toContain(flag);
    }
  });

  it("the flags take effect: credits, timing, failure share and a state folder", async () => {
    const stateDir = join(dir, "sim-state");
    const args = [
      "--credits",
      "300",
      "--queued-ms",
      "0",
      "--processing-ms",
      "0",
      "--failure-rate",
      "1",
      "--state-dir",
      stateDir,
    ];
    const { url, child } = await startSimulate(args);
    const key = newKey();
    try {
      const created = await call(url, "POST", "/api/v1/generations", {
        key,
        json: { model: "kling-3-0", prompt: "a kite" },
      });
      expect([created.status, created.body.reserved_credits]).toEqual([202, 90]);
      const task = await call(url, "GET", `/api/v1/generations/${created.body.id}`, { key });
      expect(task.body.status).toBe("failed"); // every task fails, at once
      const credits = await call(url, "GET", "/api/v1/credits", { key });
      expect(credits.body.current_credits).toBe(300); // refunded
    } finally {
      child.kill("SIGKILL");
    }
    const again = await startSimulate(["--state-dir", stateDir]);
    try {
      const credits = await call(again.url, "GET", "/api/v1/credits", { key });
      expect(credits.body.current_credits).toBe(300); // the account was kept, not re-made at 1000
    } finally {
      again.child.kill("SIGKILL");
    }
  });

  it("refuses a bad flag value by name, and simulate-only flags elsewhere", async () => {
    const bad = await cli(["simulate", "--failure-rate", "1.5"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--failure-rate must be a share from 0 to 1");
    const elsewhere = await cli(["--credits", "5"]);
    expect(elsewhere.code).toBe(2);
    expect(elsewhere.stderr).toContain("--credits is a flag of 'rivya-mcp simulate'");
  });
});

describe("top-level flags", () => {
  it("--help points at simulate --help and prints the default state folder as it resolves", async () => {
    const xdg = await cli(["--help"], { XDG_STATE_HOME: "/var/state-here" });
    expect(xdg.stdout).toContain("rivya-mcp simulate --help");
    expect(xdg.stdout).toContain("here /var/state-here/rivya-mcp");
    const home = await cli(["--help"]);
    expect(home.stdout).toContain("here /home/someone/.rivya-mcp");
  });

  it("--port without --http is refused with exit 2 instead of ignored", async () => {
    for (const args of [
      ["--port", "9000"],
      ["--demo", "--port", "9000"],
    ]) {
      const { code, stderr, stdout } = await cli(args);
      expect(code).toBe(2);
      expect(stderr).toContain("--port only applies to the HTTP server: add --http");
      expect(stdout).toBe("");
    }
  });
});
