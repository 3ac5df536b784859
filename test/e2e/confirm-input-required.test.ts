/**
 * Issue 14: spend confirmation in 2026-07-28, where the server answers `input_required`
 * with a signed `requestState` and the client calls again with the person's answer. Two
 * spawned `--http --stateless` replicas share one store, so one signing key (a state folder,
 * then a PostgreSQL schema, skipped with the reason printed when unreachable), behind a
 * round-robin proxy: the answer lands on the replica that did not ask. A stolen state is
 * refused for another person, for another call, and when edited; nothing is created or
 * charged then. A 2026 client that cannot ask keeps the `confirm: true` path.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer, type IncomingMessage, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Simulator, startSimulator } from "../../src/providers/rivya/simulator/index.js";
import { quoteIdent } from "../../src/store/postgres-migrations.js";
import { createToken } from "../../src/transports/tokens.js";
import { textOf } from "../helpers/harness.js";
import { modernCaller, type RpcResponse } from "../helpers/modern-rpc.js";
import {
  dropSchema,
  postgresUnavailable,
  TEST_DATABASE_URL,
  uniqueSchema,
} from "../helpers/postgres.js";
import { type RunningCli, startHttpCli } from "../helpers/spawned.js";

const KEY = "rvya_sk_confirm_secret_value_123456";
const MODEL = "kling-v2-1-master";
/** What MODEL's default 5 s video costs on the simulator. */
const COST = 160;
const V2026 = "2026-07-28";

interface Routed {
  upstream: number;
  method: string | undefined;
  name: string | undefined;
}

/** A proxy that sends each request to the next upstream in turn, and notes which. */
async function roundRobin(upstreams: string[]) {
  const routed: Routed[] = [];
  let next = 0;
  const server: Server = createServer((req: IncomingMessage, res) => {
    const upstream = next++ % upstreams.length;
    const header = (name: string) => {
      const v = req.headers[name];
      return typeof v === "string" ? v : undefined;
    };
    routed.push({ upstream, method: header("mcp-method"), name: header("mcp-name") });
    const target = new URL(upstreams[upstream] as string);
    const out = request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: req.method,
        headers: { ...req.headers, host: target.host },
      },
      (upstreamRes) => {
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
        upstreamRes.pipe(res);
      },
    );
    out.on("error", () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(out);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    routed,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

let sim: Simulator;
let dir: string;
let tokensFile: string;
const tokens: Record<string, string> = {};
const clients: Client[] = [];

beforeAll(async () => {
  sim = await startSimulator({
    queuedMs: 50,
    processingMs: 100,
    rateLimit: null,
    // Room for every paid call here: a refusal must come from the confirmation, never the balance.
    startingCredits: 100_000,
  });
  dir = await mkdtemp(join(tmpdir(), "rivya-confirm-2026-"));
  tokensFile = join(dir, "tokens.json");
  for (const name of ["alice", "bob"]) tokens[name] = await createToken(tokensFile, { name });
});

afterAll(async () => {
  await sim?.close();
  await rm(dir, { recursive: true, force: true });
});

/** Where the replicas keep their ledger and signing key, and what it holds now. */
interface Backend {
  /** Undefined when it cannot run here (the reason is printed). */
  unavailable(): Promise<string | undefined>;
  args(): string[];
  /** Everything written so far (bar the signing key), as text: equal means nothing written. */
  written(): Promise<string>;
  drop(): Promise<void>;
}

const stateFolder = (): Backend => {
  const state = () => join(dir, "state");
  return {
    unavailable: async () => undefined,
    args: () => ["--state-dir", state()],
    written: () => readFile(join(state(), "ledger.jsonl"), "utf8").catch(() => ""),
    drop: async () => {},
  };
};

const postgres = (): Backend => {
  const schema = uniqueSchema();
  return {
    unavailable: postgresUnavailable,
    args: () => [
      "--store",
      `${TEST_DATABASE_URL}?schema=${schema}`,
      "--state-dir",
      join(dir, "pg"),
    ],
    async written() {
      const db = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await db.connect();
      try {
        const tables = await db.query<{ table_name: string }>(
          "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_name <> 'shared_secrets' ORDER BY table_name",
          [schema],
        );
        let text = "";
        for (const { table_name } of tables.rows) {
          const rows = await db.query(
            `SELECT * FROM ${quoteIdent(schema)}.${quoteIdent(table_name)}`,
          );
          text += `${table_name}\n${rows.rows
            .map((r) => JSON.stringify(r))
            .sort()
            .join("\n")}\n`;
        }
        return text;
      } finally {
        await db.end();
      }
    },
    drop: () => dropSchema(schema),
  };
};

// Set by each backend's beforeAll, for the tests and helpers below.
let backend: Backend;
let replicas: RunningCli[] = [];
let proxy: Awaited<ReturnType<typeof roundRobin>>;

/** Two stateless replicas on one backend, behind the proxy; undefined when it cannot run. */
async function startReplicas(b: Backend): Promise<boolean> {
  if (await b.unavailable()) return false;
  backend = b;
  const env = {
    PATH: process.env.PATH ?? "",
    HOME: dir,
    RIVYA_API_KEY: KEY,
    RIVYA_BASE_URL: sim.url,
  };
  const args = ["--stateless", "--tokens-file", tokensFile, ...b.args(), "--confirm-above", "100"];
  // Started together: they agree on the signing key however their starts interleave.
  const started = await Promise.allSettled([startHttpCli(args, env), startHttpCli(args, env)]);
  replicas = started.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
  const failed = started.find((r) => r.status === "rejected");
  if (failed) {
    await stopReplicas();
    throw failed.reason;
  }
  proxy = await roundRobin(replicas.map((r) => r.url));
  return true;
}

async function stopReplicas(): Promise<void> {
  await Promise.all(clients.splice(0).map((c) => c.close().catch(() => {})));
  await proxy?.close();
  for (const r of replicas) r.child.kill("SIGTERM");
  await Promise.all(replicas.map((r) => r.exited));
  replicas = [];
  await backend?.drop();
}

type Answer = { action: "accept"; content: { approve: boolean } } | { action: "decline" };

/** A v2 client pinned to 2026-07-28 through the proxy; `answer` set means it can be asked. */
async function client2026(person: string, answer?: Answer) {
  const asked: string[] = [];
  const client = new Client(
    { name: `e2e-${person}`, version: "1.0.0" },
    {
      capabilities: answer ? { elicitation: { form: {} } } : {},
      versionNegotiation: { mode: { pin: V2026 } },
    },
  );
  if (answer)
    client.setRequestHandler("elicitation/create", async (req) => {
      asked.push((req.params as { message: string }).message);
      return answer;
    });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(proxy.url), {
      requestInit: { headers: { authorization: `Bearer ${tokens[person]}` } },
    }),
  );
  clients.push(client);
  expect(client.getNegotiatedProtocolVersion()).toBe(V2026);
  return { client, asked };
}

/** A raw 2026 tools/call of generate_video, as a client would send it, through the proxy. */
function rawGenerate(
  person: string,
  args: Record<string, unknown>,
  extra: { requestState?: string; inputResponses?: Record<string, unknown> } = {},
): Promise<RpcResponse> {
  const caller = modernCaller(proxy.url, tokens[person], { elicitation: { form: {} } });
  return caller.rpc("tools/call", { name: "generate_video", arguments: args, ...extra });
}

const ACCEPT = { approve_spend: { action: "accept", content: { approve: true } } };

/** What was created and charged, and what the shared ledger holds, right now. */
async function snapshot() {
  const ledger = await backend.written();
  const { tasksCreated, creditsCharged } = sim.stats();
  return { tasksCreated, creditsCharged, ledger };
}

describe.each([
  { backend: "one state folder", make: stateFolder },
  { backend: "one PostgreSQL schema", make: postgres },
])("2026 spend confirmation, two stateless replicas on $backend", ({ make }) => {
  const b = make();
  // client_request_ids unique to this block: the simulator outlives it.
  const tag = randomBytes(4).toString("hex");
  let running = false;
  beforeAll(async () => {
    running = await startReplicas(b);
  }, 30_000);
  afterAll(stopReplicas);
  // Each test needs the replicas: a backend that cannot run here skips, having said why.
  beforeEach((ctx) => {
    if (!running) ctx.skip();
  });

  it("(a) accepted: asked once, answered on the other replica, one task created and charged", async () => {
    const { client, asked } = await client2026("alice", {
      action: "accept",
      content: { approve: true },
    });
    const before = await snapshot();
    const from = proxy.routed.length;
    const result = await client.callTool({
      name: "generate_video",
      arguments: { model: MODEL, prompt: "A kite over the dunes" },
    });
    expect(result.isError, textOf(result)).toBeFalsy();
    const taskId = (result.structuredContent as any).task.task_id as string;
    expect(asked).toHaveLength(1);
    expect(asked[0]).toContain(`${COST} Rivya credits`);

    // Two rounds of the one call: the question from one replica, the answer to the other.
    const rounds = proxy.routed.slice(from).filter((r) => r.method === "tools/call");
    expect(rounds.map((r) => r.name)).toEqual(["generate_video", "generate_video"]);
    expect(rounds[0]?.upstream).not.toBe(rounds[1]?.upstream);

    const after = await snapshot();
    expect(after.tasksCreated - before.tasksCreated).toBe(1);
    expect(after.creditsCharged - before.creditsCharged).toBe(COST);
    expect(sim.tasks(KEY).filter((t) => t.id === taskId)).toHaveLength(1);
    // Recorded once, as alice's, and readable from either replica.
    const line = after.ledger.split("\n").find((l) => l.includes(taskId));
    expect(line).toContain('"owner":"alice"');
    for (let i = 0; i < 2; i++) {
      const read = await client.callTool({ name: "get_task", arguments: { task_id: taskId } });
      expect(read.isError, textOf(read)).toBeFalsy();
      expect((read.structuredContent as any).task.task_id).toBe(taskId);
    }
  }, 30_000);

  it("(b) declined: the call says so and nothing is created, charged or recorded", async () => {
    const { client, asked } = await client2026("alice", { action: "decline" });
    const before = await snapshot();
    const result = await client.callTool({
      name: "generate_video",
      arguments: { model: MODEL, prompt: "A kite that never flies" },
    });
    expect(asked).toHaveLength(1);
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain("Not submitted: the person declined");
    expect(await snapshot()).toEqual(before);
  }, 30_000);

  describe("(c) a stolen requestState", () => {
    const args = {
      model: MODEL,
      prompt: "A lighthouse at dawn",
      client_request_id: `steal-${tag}`,
    };
    let state: string;

    beforeAll(async () => {
      if (!running) return;
      const before = await snapshot();
      const asked = await rawGenerate("alice", args);
      expect(asked.error).toBeUndefined();
      expect(asked.result?.resultType).toBe("input_required");
      expect(asked.result?.inputRequests?.approve_spend?.params?.message).toContain(
        `${COST} Rivya credits`,
      );
      state = asked.result?.requestState as string;
      expect(state).toMatch(/^v1\.[\w-]+\.[\w-]+$/);
      // Asking writes nothing anywhere.
      expect(await snapshot()).toEqual(before);
    });

    async function refused(
      person: string,
      callArgs: Record<string, unknown>,
      requestState: string,
      message: string,
    ) {
      const before = await snapshot();
      const r = await rawGenerate(person, callArgs, {
        requestState,
        inputResponses: ACCEPT,
      });
      expect(r.result, JSON.stringify(r.result)).toBeUndefined();
      expect(r.error?.code).toBe(-32602);
      expect(r.error?.message).toContain(message);
      expect(await snapshot()).toEqual(before);
    }

    it("(i) bob sends alice's state with her arguments and a yes: refused", async () => {
      await refused("bob", args, state, "Invalid or expired requestState");
    });

    it("(ii) alice sends it with other arguments: refused as another call's", async () => {
      await refused(
        "alice",
        { ...args, prompt: "A casino at night" },
        state,
        "belongs to another call",
      );
    });

    it("(iii) an edited state: refused", async () => {
      const [version, payload, tag] = state.split(".") as [string, string, string];
      // The payload is readable (signed, not encrypted): push its expiry out by a day.
      const decoded = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
      expect(typeof decoded.exp).toBe("number");
      decoded.exp += 86_400;
      const forged = Buffer.from(JSON.stringify(decoded)).toString("base64url");
      await refused(
        "alice",
        args,
        `${version}.${forged}.${tag}`,
        "Invalid or expired requestState",
      );
      // One changed character in the signature, too: the first, as the last one's low bits
      // are base64 padding, which decoders ignore (the tag's bytes would not change).
      const flipped = `${tag.startsWith("A") ? "B" : "A"}${tag.slice(1)}`;
      await refused(
        "alice",
        args,
        `${version}.${payload}.${flipped}`,
        "Invalid or expired requestState",
      );
    });

    it("and the same state, sent back by alice for her own call, does go through", async () => {
      // The control for (i)–(iii): the captured state and the answer were good ones.
      const before = await snapshot();
      const r = await rawGenerate("alice", args, { requestState: state, inputResponses: ACCEPT });
      expect(r.error, JSON.stringify(r.error)).toBeUndefined();
      expect(r.result?.isError, JSON.stringify(r.result)).toBeFalsy();
      expect(r.result?.structuredContent?.task?.task_id).toMatch(/\S/);
      const after = await snapshot();
      expect(after.tasksCreated - before.tasksCreated).toBe(1);
      expect(after.creditsCharged - before.creditsCharged).toBe(COST);
    });
  });

  it("(e) one yes resent (no client_request_id): the same task, charged once", async () => {
    const args = { model: MODEL, prompt: `A yes sent twice ${tag}` };
    const before = await snapshot();
    const asked = await rawGenerate("alice", args);
    const state = asked.result?.requestState as string;
    expect(state).toBeTruthy();
    const first = await rawGenerate("alice", args, { requestState: state, inputResponses: ACCEPT });
    const again = await rawGenerate("alice", args, { requestState: state, inputResponses: ACCEPT });
    const taskId = first.result?.structuredContent?.task?.task_id;
    expect(taskId, JSON.stringify(first)).toMatch(/\S/);
    expect(again.result?.structuredContent?.task?.task_id, JSON.stringify(again)).toBe(taskId);
    expect(again.result?.structuredContent?.replayed).toBe(true);
    const after = await snapshot();
    expect(after.tasksCreated - before.tasksCreated).toBe(1);
    expect(after.creditsCharged - before.creditsCharged).toBe(COST);
  });

  it("(d) a 2026 client that cannot ask gets the confirm: true instructions, then succeeds with it", async () => {
    const { client } = await client2026("bob");
    const args = {
      model: MODEL,
      prompt: "A tram in the rain",
      client_request_id: `bob-confirm-${tag}`,
    };
    const before = await snapshot();
    const first = await client.callTool({ name: "generate_video", arguments: args });
    expect(first.isError).toBe(true);
    expect(textOf(first)).toContain(`This call costs ${COST} Rivya credits`);
    expect(textOf(first)).toContain("call again with confirm: true");
    expect(await snapshot()).toEqual(before);

    const second = await client.callTool({
      name: "generate_video",
      arguments: { ...args, confirm: true },
    });
    expect(second.isError, textOf(second)).toBeFalsy();
    const after = await snapshot();
    expect(after.tasksCreated - before.tasksCreated).toBe(1);
    expect(after.creditsCharged - before.creditsCharged).toBe(COST);
    const taskId = (second.structuredContent as any).task.task_id as string;
    expect(after.ledger.split("\n").find((l) => l.includes(taskId))).toContain('"owner":"bob"');
  }, 30_000);
});
