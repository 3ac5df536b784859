/**
 * Three stateless replicas of the built CLI on one PostgreSQL, behind a round-robin proxy
 * written here: budgets hold across replicas, one client_request_id makes one task, a
 * person's tasks stay theirs, and a replica killed mid-create loses nothing.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Simulator, startSimulator } from "../../src/providers/rivya/simulator/index.js";
import { createToken } from "../../src/transports/tokens.js";
import { call, out, textOf } from "../helpers/http-harness.js";
import { modernCaller } from "../helpers/modern-rpc.js";
import {
  dropSchema,
  postgresUnavailable,
  TEST_DATABASE_URL,
  uniqueSchema,
} from "../helpers/postgres.js";
import { type RunningCli, startHttpCli } from "../helpers/spawned.js";

const skip = (await postgresUnavailable()) !== undefined;
const KEY = "rvya_sk_replicas_secret_123456";
const BUDGET = 450;
/** Kling 3.0, 5 s: 90 credits, so a 450 budget buys exactly five. */
const KLING = { model: "kling-3-0", prompt: "Waves on a pier", params: { duration: 5 } };
const PEOPLE = ["alice", "bob", "carol"] as const;

let sim: Simulator;
let dir: string;
let proxy: Server;
let proxyUrl: string;
const replicas: RunningCli[] = [];
const tokens: Record<string, string> = {};
const clients: Client[] = [];
const schema = uniqueSchema();
const url = `${TEST_DATABASE_URL}?schema=${schema}`;

/** Each request to the next replica in turn, whatever it is. */
function roundRobin(targets: () => RunningCli[]): Server {
  let next = 0;
  return createServer((req, res) => {
    const live = targets().filter((r) => r.child.exitCode === null && !r.child.killed);
    const target = new URL(live[next++ % live.length]?.url ?? "http://127.0.0.1:1");
    const upstream = request(
      {
        host: target.hostname,
        port: target.port,
        path: req.url,
        method: req.method,
        headers: req.headers,
      },
      (reply) => {
        res.writeHead(reply.statusCode ?? 502, reply.headers);
        reply.pipe(res);
      },
    );
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  });
}

async function connect(person: string, to = proxyUrl): Promise<Client> {
  const client = new Client({ name: `replica-test-${person}`, version: "1" });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(to), {
      requestInit: { headers: { authorization: `Bearer ${tokens[person]}` } },
    }),
  );
  clients.push(client);
  return client;
}

async function spentByOwner(): Promise<Record<string, number>> {
  const db = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await db.connect();
  try {
    const { rows } = await db.query<{ owner: string; spent: number }>(
      `SELECT owner, sum(budget_cost)::float8 AS spent FROM "${schema}".ledger_entries GROUP BY owner`,
    );
    return Object.fromEntries(rows.map((r) => [r.owner, r.spent]));
  } finally {
    await db.end();
  }
}

describe.skipIf(skip)("three replicas on one PostgreSQL", () => {
  beforeAll(async () => {
    sim = await startSimulator({
      queuedMs: 50,
      processingMs: 100,
      rateLimit: null,
      startingCredits: 1_000_000,
    });
    dir = await mkdtemp(join(tmpdir(), "rivya-replicas-"));
    const file = join(dir, "tokens.json");
    for (const name of PEOPLE)
      tokens[name] = await createToken(file, { name, dailyBudget: BUDGET });
    for (const name of ["erin", "frank"]) tokens[name] = await createToken(file, { name });
    const started = await Promise.all(
      [0, 1, 2].map((n) =>
        startHttpCli(["--stateless", "--store", url, "--tokens-file", file, "--rate-limit", "0"], {
          RIVYA_API_KEY: KEY,
          RIVYA_BASE_URL: sim.url,
          RIVYA_MCP_STATE_DIR: join(dir, `replica-${n}`),
          RIVYA_MCP_CONFIRM_ABOVE: "1000",
        }),
      ),
    );
    replicas.push(...started);
    proxy = roundRobin(() => replicas);
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/mcp`;
  }, 60_000);

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => {})));
    for (const r of replicas) r.child.kill("SIGKILL");
    await Promise.all(replicas.map((r) => r.exited));
    await new Promise((resolve) => proxy?.close(resolve));
    await sim?.close();
    await rm(dir, { recursive: true, force: true });
    await dropSchema(schema);
  });

  it("60 concurrent generate_video calls from three people: nobody over budget", async () => {
    const byPerson = await Promise.all(PEOPLE.map((p) => connect(p)));
    const calls = Array.from({ length: 60 }, (_, n) => {
      const person = n % 3;
      return call(byPerson[person] as Client, "generate_video", {
        ...KLING,
        client_request_id: `load-${n}`,
        wait_seconds: 0,
      }).then((r) => ({ person: PEOPLE[person], ok: !r.isError, text: textOf(r) }));
    });
    const results = await Promise.all(calls);
    for (const person of PEOPLE) {
      const mine = results.filter((r) => r.person === person);
      expect(mine.filter((r) => r.ok)).toHaveLength(BUDGET / 90);
      for (const refused of mine.filter((r) => !r.ok)) expect(refused.text).toMatch(/budget/i);
    }
    expect(await spentByOwner()).toEqual({ alice: BUDGET, bob: BUDGET, carol: BUDGET });
    expect(sim.tasks(KEY)).toHaveLength(15);
    expect(sim.stats().creditsCharged).toBe(15 * 90);
  });

  it("a person's tasks are invisible to another person through every replica", async () => {
    const alice = await connect("alice");
    const aliceTasks = out(await call(alice, "get_task")).recent_tasks.map((t: any) => t.task_id);
    expect(aliceTasks).toHaveLength(5);
    for (const replica of replicas) {
      const bob = await connect("bob", replica.url);
      const listed = out(await call(bob, "get_task")).recent_tasks.map((t: any) => t.task_id);
      expect(listed).toHaveLength(5);
      expect(listed.filter((id: string) => aliceTasks.includes(id))).toEqual([]);
      const peek = await call(bob, "get_task", { task_id: aliceTasks[0] });
      expect(peek.isError).toBe(true);
      expect(textOf(peek)).not.toContain("Waves on a pier");
    }
  });

  it("one client_request_id sent to the three replicas at once: one task, one charge", async () => {
    const charged = sim.stats().creditsCharged;
    const direct = await Promise.all(replicas.map((r) => connect("erin", r.url)));
    const args = { ...KLING, client_request_id: "same-everywhere", wait_seconds: 0 };
    const first = await Promise.all(direct.map((c) => call(c, "generate_video", args)));
    // A replica that found the request already being submitted says so; its retry gets the task.
    const settled = await Promise.all(
      first.map((r, n) => (r.isError ? call(direct[n] as Client, "generate_video", args) : r)),
    );
    const ids = new Set(settled.map((r) => out(r).task.task_id));
    expect(ids.size).toBe(1);
    const erinTasks = sim.tasks(KEY).filter((t) => ids.has(t.id));
    expect(erinTasks).toHaveLength(1);
    expect(sim.stats().creditsCharged - charged).toBe(90);
    const listed = out(await call(direct[0] as Client, "get_task")).recent_tasks;
    expect(listed.map((t: any) => t.task_id)).toEqual([...ids]);
  });

  it("a 2026 MCP task made on one replica is followed on the others, and only by its owner", async () => {
    const [first, ...others] = replicas as [RunningCli, ...RunningCli[]];
    const created = await modernCaller(first.url, tokens.erin).rpc("tools/call", {
      name: "generate_video",
      arguments: { ...KLING, client_request_id: "task-across-replicas" },
    });
    expect(created.result).toMatchObject({ resultType: "task", taskId: "task-across-replicas" });
    for (const replica of others) {
      const got = await modernCaller(replica.url, tokens.erin).rpc("tasks/get", {
        taskId: "task-across-replicas",
      });
      expect(got.result).toMatchObject({ taskId: "task-across-replicas" });
      expect(["working", "completed"]).toContain(got.result?.status);
      const stranger = await modernCaller(replica.url, tokens.bob).rpc("tasks/get", {
        taskId: "task-across-replicas",
      });
      expect(stranger.error?.code).toBe(-32602);
    }
  });

  it("kill -9 of a replica mid-create: another replica sees the intent, a retry settles it once", async () => {
    const [victim, survivor] = replicas as [RunningCli, RunningCli];
    const creates = () =>
      sim.requests.filter((r) => r.method === "POST" && r.path === "/api/v1/generations").length;
    const before = creates();
    const charged = sim.stats().creditsCharged;
    const frankOnVictim = await connect("frank", victim.url);
    // The create reaches the simulator, which makes the task and then holds the reply.
    sim.setFaults({ latencyMs: 5_000 });
    const args = { ...KLING, client_request_id: "killed-mid-create", wait_seconds: 0 };
    // Its client never hears back (the SDK may keep trying to resume the stream): not awaited.
    void call(frankOnVictim, "generate_video", args).catch(() => {});
    for (let i = 0; i < 400 && creates() === before; i++) await sleep(10);
    expect(creates()).toBe(before + 1);
    victim.child.kill("SIGKILL");
    await victim.exited;
    sim.setFaults({ latencyMs: 0 });

    const frank = await connect("frank", survivor.url);
    const seen = out(await call(frank, "get_task")).recent_tasks;
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ client_request_id: "killed-mid-create" });
    expect(JSON.stringify(seen[0])).toMatch(/submitting/);
    const retried = out(await call(frank, "generate_video", args));
    expect(retried.replayed).toBe(true);
    expect(sim.tasks(KEY).filter((t) => t.id === retried.task.task_id)).toHaveLength(1);
    expect(sim.stats().creditsCharged - charged).toBe(90);
    const after = out(await call(frank, "get_task")).recent_tasks;
    expect(after.map((t: any) => t.task_id)).toEqual([retried.task.task_id]);
  });
});
