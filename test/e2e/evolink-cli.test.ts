/** `rivya-mcp simulate --provider evolink`: the built CLI serves the EvoLink simulator and its Files API. */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { createEvolinkClient } from "../../src/providers/evolink/client.js";
import { pngBytes } from "../fixtures/images.js";

const run = promisify(execFile);
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) child.kill();
});

async function cli(args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, ["dist/cli.js", ...args]);
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

function startSimulate(args: string[]): Promise<{ url: string; stdout: () => string }> {
  const child = spawn(process.execPath, ["dist/cli.js", "simulate", ...args], { stdio: "pipe" });
  children.push(child);
  let out = "";
  child.stdout.on("data", (c: Buffer) => {
    out += c.toString();
  });
  return new Promise((resolve, reject) => {
    let err = "";
    child.stderr.on("data", (chunk: Buffer) => {
      err += chunk.toString();
      const url = /EvoLink simulator listening on (http:\/\/127\.0\.0\.1:\d+) /.exec(err)?.[1];
      if (url) resolve({ url, stdout: () => out });
    });
    child.once("exit", (code) => reject(new Error(`simulate exited ${code}: ${err}`)));
  });
}

describe("rivya-mcp simulate --provider evolink", () => {
  it("serves creates, tasks, credits and the Files API on one loopback URL, with the flags applied", async () => {
    const { url, stdout } = await startSimulate([
      "--provider",
      "evolink",
      "--credits",
      "100",
      "--queued-ms",
      "0",
      "--processing-ms",
      "0",
    ]);
    const client = createEvolinkClient({
      apiKey: "sk-evo-cli-test-key",
      baseUrl: url,
      filesUrl: url,
    });
    try {
      const task = await client.createVideo({
        model: "kling-v3-text-to-video",
        prompt: "a kite",
        duration: 5,
      });
      expect(task.creditsReservedRaw).toBe(27);
      expect((await client.getTask(task.id)).status).toBe("completed");
      expect((await client.getCredits()).token?.remainingCredits).toBe(73);
      const file = await client.uploadBase64(pngBytes().toString("base64"));
      expect(file.fileUrl.startsWith(url)).toBe(true);
    } finally {
      await client.close();
    }
    expect(stdout()).toBe("");
  });

  it("refuses an unknown provider and --state-dir with evolink, naming the flag", async () => {
    const bad = await cli(["simulate", "--provider", "sora"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--provider must be rivya or evolink; got 'sora'");
    const state = await cli(["simulate", "--provider", "evolink", "--state-dir", "/tmp/x"]);
    expect(state.code).toBe(2);
    expect(state.stderr).toContain("--state-dir is not supported with --provider evolink");
    const help = await cli(["simulate", "--help"]);
    expect(help.stdout).toContain("--provider NAME");
    const elsewhere = await cli(["--provider", "evolink"]);
    expect(elsewhere.stderr).toContain("--provider is a flag of 'rivya-mcp simulate'");
  });
});
