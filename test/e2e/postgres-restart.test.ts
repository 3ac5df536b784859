/**
 * PostgreSQL stopped and started during a load of generate_video calls on two replicas (a
 * private server of the test's own, so the shared one is never disturbed): every call
 * either returned a task that the ledger holds, or failed saying it paid nothing, and the
 * simulator made exactly one task per successful call.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Simulator, startSimulator } from "../../src/providers/rivya/simulator/index.js";
import { call, out, textOf } from "../helpers/http-harness.js";
import { type PrivateCluster, privateCluster } from "../helpers/postgres.js";
import { type RunningCli, startHttpCli } from "../helpers/spawned.js";

const cluster = await privateCluster();
const KEY = "rvya_sk_restart_secret_123456";
let sim: Simulator;
let dir: string;
const replicas: RunningCli[] = [];
const clients: Client[] = [];

describe.skipIf(!cluster)("PostgreSQL restarted mid-run", () => {
  const db = cluster as PrivateCluster;

  beforeAll(async () => {
    sim = await startSimulator({
      queuedMs: 50,
      processingMs: 100,
      rateLimit: null,
      startingCredits: 1e6,
    });
    dir = await mkdtemp(join(tmpdir(), "rivya-pg-restart-"));
    for (const n of [0, 1]) {
      replicas.push(
        await startHttpCli(["--stateless", "--store", db.url], {
          RIVYA_API_KEY: KEY,
          RIVYA_BASE_URL: sim.url,
          RIVYA_MCP_STATE_DIR: join(dir, `replica-${n}`),
          RIVYA_MCP_CONFIRM_ABOVE: "1000",
        }),
      );
    }
    for (const r of replicas) {
      const client = new Client({ name: "restart-test", version: "1" });
      await client.connect(new StreamableHTTPClientTransport(new URL(r.url)));
      clients.push(client);
    }
  }, 60_000);

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => {})));
    for (const r of replicas) r.child.kill("SIGKILL");
    await Promise.all(replicas.map((r) => r.exited));
    await sim?.close();
    await rm(dir, { recursive: true, force: true });
    await db.destroy();
  });

  it("no lost task id, no double charge, every failure says it paid nothing", async () => {
    const calls: Promise<{ crid: string; taskId?: string; text: string }>[] = [];
    const load = (async () => {
      for (let n = 0; n < 50; n++) {
        const crid = `restart-${n}`;
        const client = clients[n % clients.length] as Client;
        calls.push(
          call(client, "generate_video", {
            model: "kling-3-0",
            prompt: "A kite over dunes",
            params: { duration: 5 },
            client_request_id: crid,
            wait_seconds: 0,
          }).then((r) => ({
            crid,
            taskId: r.isError ? undefined : out(r).task.task_id,
            text: textOf(r),
          })),
        );
        await sleep(60);
      }
    })();
    await sleep(600);
    await db.stop();
    await sleep(800);
    await db.start();
    await load;
    const results = await Promise.all(calls);

    const succeeded = results.filter((r) => r.taskId);
    const failed = results.filter((r) => !r.taskId);
    // The outage really hit the load, and the load outlived it.
    expect(failed.length).toBeGreaterThan(0);
    expect(succeeded.length).toBeGreaterThan(0);
    for (const f of failed)
      expect(f.text).toContain("This call submitted nothing and charged nothing");

    const made = sim.tasks(KEY);
    expect(made.map((t) => t.id).sort()).toEqual(succeeded.map((r) => r.taskId).sort());
    expect(sim.stats().creditsCharged).toBe(90 * succeeded.length);

    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ client_request_id: string; task_id: string | null }>(
        "SELECT client_request_id, task_id FROM rivya_mcp.ledger_entries",
      );
      const recorded = new Map(rows.map((r) => [r.client_request_id, r.task_id]));
      for (const s of succeeded) expect(recorded.get(s.crid)).toBe(s.taskId);
      for (const f of failed) expect(recorded.get(f.crid) ?? null).toBeNull();
    } finally {
      await client.end();
    }
  });
});
