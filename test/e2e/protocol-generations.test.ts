/**
 * Issue 14: one built server, both MCP generations. The whole flow (list_models →
 * upload_reference → generate_video → get_task) driven by the v2 SDK client pinned to
 * 2026-07-28 and by the v1 SDK client speaking 2025-11-25, over stdio and over HTTP, each
 * against a spawned `dist/cli.js`; and tools/list the same in both generations.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  Client as Client2026,
  StreamableHTTPClientTransport as HttpTransport2026,
} from "@modelcontextprotocol/client";
import { StdioClientTransport as StdioTransport2026 } from "@modelcontextprotocol/client/stdio";
import { Client as Client2025 } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport as StdioTransport2025 } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport as HttpTransport2025 } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Simulator, startSimulator } from "../../src/providers/rivya/simulator/index.js";
import { pngBytes } from "../fixtures/images.js";
import { textOf } from "../helpers/harness.js";
import { type RunningCli, startHttpCli } from "../helpers/spawned.js";

const KEY = "rvya_sk_generations_secret_123456";
const MODEL = "kling-v2-1-master";
const TOOL_NAMES = ["list_models", "upload_reference", "generate_video", "get_task"];

type Generation = "2026-07-28" | "2025-11-25";
type Wire = "stdio" | "http";

interface ToolResult {
  content?: unknown;
  structuredContent?: Record<string, unknown> | undefined;
  isError?: boolean | undefined;
}

/** One connected client, whichever SDK and transport, seen the same way by the tests. */
interface Driven {
  /** The protocol version the client settled on with the server. */
  version: string | undefined;
  /** What each HTTP response said in Mcp-Session-Id, by the JSON-RPC method it answered. */
  responses: { method: string; sessionId: string | null }[];
  listTools(): Promise<{ tools: unknown[]; ttlMs?: unknown; cacheScope?: unknown }>;
  call(name: string, args?: Record<string, unknown>): Promise<ToolResult>;
  close(): Promise<void>;
}

let sim: Simulator;
let dir: string;
let http: RunningCli;

function env(stateDir: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "",
    HOME: dir,
    RIVYA_API_KEY: KEY,
    RIVYA_BASE_URL: sim.url,
    RIVYA_MCP_STATE_DIR: stateDir,
    // No confirmation in this file: it is about the generations, confirm-input-required about asking.
    RIVYA_MCP_CONFIRM_ABOVE: "100000",
  };
}

beforeAll(async () => {
  sim = await startSimulator({
    queuedMs: 50,
    processingMs: 100,
    rateLimit: null,
    startingCredits: 100_000,
  });
  dir = await mkdtemp(join(tmpdir(), "rivya-generations-"));
  // Stateful HTTP (the default): 2025 clients get sessions, 2026 requests stand alone.
  http = await startHttpCli([], env(join(dir, "state-http")));
}, 30_000);

afterAll(async () => {
  http?.child.kill("SIGTERM");
  await http?.exited;
  await sim?.close();
  await rm(dir, { recursive: true, force: true });
});

/** A fetch that notes each response's Mcp-Session-Id against the request's method. */
function recordingFetch(responses: Driven["responses"]) {
  return async (url: string | URL | Request, init?: RequestInit) => {
    const res = await fetch(url, init);
    let method = init?.method ?? "GET";
    if (typeof init?.body === "string") {
      const body = JSON.parse(init.body) as { method?: string };
      method = body.method ?? "(response)";
    }
    responses.push({ method, sessionId: res.headers.get("mcp-session-id") });
    return res;
  };
}

function drain(transport: object) {
  const stderr = (transport as { stderr?: NodeJS.ReadableStream | null }).stderr;
  stderr?.resume();
}

async function connect2026(wire: Wire, stateDir: string): Promise<Driven> {
  const client = new Client2026(
    { name: "e2e-2026", version: "1.0.0" },
    { versionNegotiation: { mode: { pin: "2026-07-28" } } },
  );
  const responses: Driven["responses"] = [];
  const transport =
    wire === "stdio"
      ? new StdioTransport2026({
          command: process.execPath,
          args: ["dist/cli.js"],
          env: env(stateDir),
          // The server's logs: drained below, so a chatty run never blocks on a full pipe.
          stderr: "pipe",
        })
      : new HttpTransport2026(new URL(http.url), { fetch: recordingFetch(responses) });
  drain(transport);
  await client.connect(transport);
  return {
    version: client.getNegotiatedProtocolVersion(),
    responses,
    listTools: () => client.listTools(),
    call: (name, args = {}) => client.callTool({ name, arguments: args }) as Promise<ToolResult>,
    close: () => client.close(),
  };
}

async function connect2025(wire: Wire, stateDir: string): Promise<Driven> {
  const client = new Client2025({ name: "e2e-2025", version: "1.0.0" });
  const responses: Driven["responses"] = [];
  const transport =
    wire === "stdio"
      ? new StdioTransport2025({
          command: process.execPath,
          args: ["dist/cli.js"],
          env: env(stateDir),
          // The server's logs: drained below, so a chatty run never blocks on a full pipe.
          stderr: "pipe",
        })
      : new HttpTransport2025(new URL(http.url), { fetch: recordingFetch(responses) });
  // The v1 client hands the version it accepted from initialize to its transport: note it there.
  let version: string | undefined;
  const original = (transport as { setProtocolVersion?: (v: string) => void }).setProtocolVersion;
  Object.assign(transport, {
    setProtocolVersion(v: string) {
      version = v;
      original?.call(transport, v);
    },
  });
  drain(transport);
  await client.connect(transport);
  return {
    get version() {
      return version;
    },
    responses,
    listTools: () => client.listTools(),
    call: (name, args = {}) => client.callTool({ name, arguments: args }) as Promise<ToolResult>,
    close: () => client.close(),
  };
}

const connect = (generation: Generation, wire: Wire, stateDir: string) =>
  generation === "2026-07-28" ? connect2026(wire, stateDir) : connect2025(wire, stateDir);

function ok(r: ToolResult): Record<string, any> {
  expect(r.isError, textOf(r)).toBeFalsy();
  expect(r.structuredContent).toBeDefined();
  return r.structuredContent as Record<string, any>;
}

const COMBINATIONS: [Generation, Wire][] = [
  ["2026-07-28", "stdio"],
  ["2026-07-28", "http"],
  ["2025-11-25", "stdio"],
  ["2025-11-25", "http"],
];

describe("both protocol generations, spawned server", () => {
  it.each(COMBINATIONS)(
    "%s over %s: list_models → upload_reference → generate_video → get_task",
    async (generation, wire) => {
      const label = `${generation}-${wire}`;
      const client = await connect(generation, wire, join(dir, `state-${label}`));
      try {
        expect(client.version).toBe(generation);

        const before = sim.stats();
        const models = ok(await client.call("list_models"));
        expect(models.models.map((m: { id: string }) => m.id)).toContain(MODEL);

        const upload = ok(
          await client.call("upload_reference", {
            model: MODEL,
            base64: pngBytes().toString("base64"),
            filename: `${label}.png`,
          }),
        );
        const item = upload.reference_media_item;
        expect(item).toMatchObject({ kind: "image", mimeType: "image/png", name: `${label}.png` });
        expect(sim.stats().filesUploaded).toBe(before.filesUploaded + 1);

        const prompt = `A paper boat on a pond (${label})`;
        const generated = ok(
          await client.call("generate_video", {
            model: MODEL,
            prompt,
            reference_media: [item],
            client_request_id: `generations-${label}`,
          }),
        );
        const taskId = generated.task.task_id as string;
        expect(taskId).toMatch(/\S/);
        // The provider really got this call, once.
        expect(sim.tasks(KEY).filter((t) => t.id === taskId)).toHaveLength(1);
        expect(sim.stats().tasksCreated).toBe(before.tasksCreated + 1);

        const read = ok(await client.call("get_task", { task_id: taskId }));
        expect(read.task.task_id).toBe(taskId);
        expect(read.task.model).toBe(MODEL);

        if (wire === "http") {
          const methods = client.responses.map((r) => r.method);
          expect(methods).toContain("tools/call");
          const withSession = client.responses.filter((r) => r.sessionId !== null);
          if (generation === "2026-07-28") {
            // No initialize, no session: every 2026 response stands alone.
            expect(methods).toContain("server/discover");
            expect(methods).not.toContain("initialize");
            expect(withSession).toEqual([]);
          } else {
            // The same capture sees the 2025 session, so an empty list above means something.
            expect(methods[0]).toBe("initialize");
            const answers = client.responses.filter((r) => /^(initialize|tools\/)/.test(r.method));
            expect(answers.length).toBe(5); // initialize and the four calls
            expect(withSession.filter((r) => answers.includes(r))).toEqual(answers);
          }
        }
      } finally {
        await client.close();
      }
    },
    30_000,
  );

  it.each(["stdio", "http"] as Wire[])(
    "tools/list over %s is the same in both generations; 2026 also carries the cache hints",
    async (wire) => {
      const modern = await connect("2026-07-28", wire, join(dir, `state-list-${wire}-2026`));
      const legacy = await connect("2025-11-25", wire, join(dir, `state-list-${wire}-2025`));
      try {
        const a = await modern.listTools();
        const b = await legacy.listTools();
        expect(a.tools.map((t) => (t as { name: string }).name)).toEqual(TOOL_NAMES);
        // Names, order, descriptions, schemas, annotations, icons: all of it, byte for byte.
        expect(JSON.stringify(a.tools)).toBe(JSON.stringify(b.tools));
        expect({ ttlMs: a.ttlMs, cacheScope: a.cacheScope }).toEqual({
          ttlMs: 3_600_000,
          cacheScope: "private",
        });
        // 2025 has no such vocabulary.
        expect(b.ttlMs).toBeUndefined();
        expect(b.cacheScope).toBeUndefined();
      } finally {
        await modern.close();
        await legacy.close();
      }
    },
    30_000,
  );
});
