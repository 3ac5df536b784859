import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Simulator, startSimulator } from "../../src/providers/rivya/simulator/index.js";
import { call, out, textOf } from "../helpers/http-harness.js";
import { type RunningCli, startHttpCli } from "../helpers/spawned.js";

/** Long enough that the signal always lands mid-create, well inside the 10 s grace. */
const CREATE_LATENCY_MS = 2500;

let dir: string;
let sim: Simulator;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "rivya-shutdown-"));
  sim = await startSimulator({ rateLimit: null, faults: { latencyMs: CREATE_LATENCY_MS } });
});
afterEach(async () => {
  await sim.close();
  await rm(dir, { recursive: true, force: true });
});

const startServer = () =>
  startHttpCli(["--state-dir", dir], {
    PATH: process.env.PATH ?? "",
    HOME: dir,
    RIVYA_API_KEY: "rvya_sk_shutdown",
    RIVYA_BASE_URL: sim.url,
  });

async function connect(url: string): Promise<Client> {
  const client = new Client({ name: "shutdown-test", version: "1" });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  return client;
}

/** Resolves once the simulator has received the create (its answer is still delayed). */
async function createArrived(): Promise<void> {
  while (!sim.requests.some((r) => r.method === "POST" && r.path.endsWith("/generations")))
    await sleep(20);
}

/** The shutdown's drain log line, printed so a run shows how long shutdown waited. */
function drainLog(server: RunningCli): string {
  const line =
    server
      .stderr()
      .split("\n")
      .find((l) => l.includes("waited_ms")) ?? "";
  console.log(`[shutdown] ${line}`);
  return line;
}

const ledgerOf = () => readFile(join(dir, "ledger.jsonl"), "utf8").catch(() => "");

const generate = (client: Client, id: string) =>
  call(client, "generate_video", {
    model: "kling-3-0",
    prompt: "A paper boat on a rainy street",
    client_request_id: id,
  });

describe("finding 1: shutdown during a create does not lose the task", () => {
  it("SIGTERM mid-create: the call gets its task id, the ledger has it, exit 0", async () => {
    const server = await startServer();
    const client = await connect(server.url);
    const pending = generate(client, "shutdown-answered");
    await createArrived();
    server.child.kill("SIGTERM");
    const result = await pending;
    expect(result.isError, textOf(result)).toBeFalsy();
    const taskId = out(result).task.task_id as string;
    expect(await server.exited).toBe(0);
    expect(await ledgerOf()).toContain(taskId);
    expect(drainLog(server)).toContain("running calls finished");
    await client.close().catch(() => {});
  }, 30_000);

  it("SIGTERM mid-create after the client went away: the charged task is still in the ledger", async () => {
    const server = await startServer();
    const client = await connect(server.url);
    void generate(client, "shutdown-orphaned").catch(() => {});
    await createArrived();
    // The client (or a proxy in front of it) hangs up: no response is open any more,
    // but the create is still on its way back from Rivya.
    await client.close();
    await sleep(100);
    server.child.kill("SIGTERM");
    expect(await server.exited).toBe(0);
    // It waited for the create rather than cutting it off at the end of the grace period.
    expect(drainLog(server)).toContain("running calls finished");
    const [task] = sim.tasks("rvya_sk_shutdown");
    expect(task, "the simulator created (and charged) the task").toBeDefined();
    expect(await ledgerOf()).toContain(task?.id);
  }, 30_000);
});
