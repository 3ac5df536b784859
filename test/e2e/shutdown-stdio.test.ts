/**
 * Finding 1 (stdio half): a desktop host ends a stdio server by closing its stdin. A create
 * in flight at that moment must still be answered by Rivya, recorded and flushed before the
 * process exits, or the person pays for a task nobody can find.
 */
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Simulator, startSimulator } from "../../src/providers/rivya/simulator/index.js";

const KEY = "rvya_sk_shutdown_test_key_123";
let sim: Simulator;
let dir: string;

beforeAll(async () => {
  // Every response is delayed, so the create is still in flight when stdin closes.
  sim = await startSimulator({ faults: { latencyMs: 1500 } });
  dir = await mkdtemp(join(tmpdir(), "rivya-shutdown-"));
});
afterAll(async () => {
  await sim.close();
  await rm(dir, { recursive: true, force: true });
});

const rpc = (id: number, method: string, params: unknown) =>
  `${JSON.stringify({ jsonrpc: "2.0", id, method, params })}\n`;

describe("finding 1: stdin closed while a create is in flight", () => {
  it("the create finishes, the ledger has the task, and the process exits 0", async () => {
    const stateDir = join(dir, "state");
    const child = spawn(process.execPath, ["dist/cli.js"], {
      env: {
        PATH: process.env.PATH ?? "",
        HOME: dir,
        RIVYA_API_KEY: KEY,
        RIVYA_BASE_URL: sim.url,
        RIVYA_MCP_STATE_DIR: stateDir,
        RIVYA_MCP_CONFIRM_ABOVE: "1000",
      },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    child.stdin.write(
      rpc(1, "initialize", {
        protocolVersion: "2025-06-18",
        capabilities: {},
        clientInfo: { name: "t", version: "1" },
      }),
    );
    child.stdin.write(
      `${JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" })}\n`,
    );
    child.stdin.write(
      rpc(2, "tools/call", {
        name: "generate_video",
        arguments: { model: "kling-3-0", prompt: "Closed mid-create", client_request_id: "cut-1" },
      }),
    );
    // Wait until the create has reached the simulator, then hang up.
    for (let i = 0; i < 200 && !sim.requests.some((r) => r.method === "POST"); i++)
      await new Promise((r) => setTimeout(r, 25));
    expect(sim.requests.some((r) => r.method === "POST")).toBe(true);
    child.stdin.end();
    expect(await exited).toBe(0);

    const created = sim.tasks(KEY);
    expect(created).toHaveLength(1);
    const ledger = await readFile(join(stateDir, "ledger.jsonl"), "utf8");
    expect(ledger).toContain(created[0]?.id as string);
    expect(ledger).toContain('"state":"created"');
    // The answer still went out on stdout before the exit.
    expect(stdout).toContain(created[0]?.id as string);
  });
});
