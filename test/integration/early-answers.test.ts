/**
 * The stdio opening answered before the SDK loads (transports/early-answers.ts) must say
 * exactly what the SDK server says. Each exchange below goes to the real server (createServer
 * behind the SDK's serveStdio, over in-memory streams) and to EarlyAnswers; the answers must
 * be equal, and what EarlyAnswers is not sure of it must leave to the SDK.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import {
  CLIENT_CAPABILITIES_META_KEY,
  CLIENT_INFO_META_KEY,
  PROTOCOL_VERSION_META_KEY,
  SERVER_INFO_META_KEY,
  SUPPORTED_PROTOCOL_VERSIONS,
} from "@modelcontextprotocol/server";
import { StdioServerTransport, serveStdio } from "@modelcontextprotocol/server/stdio";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { silentLogger } from "../../src/log.js";
import { describeTools } from "../../src/mcp/publish.js";
import { createServer } from "../../src/mcp/server.js";
import { connectionsFromEnv, connectProviders } from "../../src/providers/index.js";
import { FileStore } from "../../src/store/file-store.js";
import type { DescribeFacts } from "../../src/tools/define.js";
import { TOOLS } from "../../src/tools/index.js";
import {
  EARLY_LEGACY_VERSIONS,
  EarlyAnswers,
  META_KEYS,
  MODERN_VERSION,
} from "../../src/transports/early-answers.js";
import { testConfig } from "../helpers/harness.js";

type Message = Record<string, unknown>;

let dir: string;
let store: FileStore;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "rivya-early-"));
  store = await FileStore.open({ path: join(dir, "ledger.jsonl") });
});
afterAll(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

/** The SDK server's answers to these messages, by request id. */
async function sdkAnswers(messages: Message[], facts: DescribeFacts) {
  const config = testConfig(dir, {
    confirmAbove: facts.confirmAbove,
    budgetInUsd: facts.budgetInUsd,
  });
  const deps = {
    providers: connectProviders(connectionsFromEnv({}, "rivya-mcp-test")),
    config,
    log: silentLogger,
    owner: "local",
    store,
    dailyBudget: facts.dailyBudget,
  };
  const input = new PassThrough();
  const output = new PassThrough();
  const connection = serveStdio(() => createServer(deps), {
    transport: new StdioServerTransport(input, output),
  });
  const answers = new Map<unknown, Message>();
  const requests = messages.filter((m) => "id" in m).length;
  let text = "";
  const done = new Promise<void>((resolve) => {
    output.on("data", (chunk: Buffer) => {
      text += chunk.toString();
      for (let nl = text.indexOf("\n"); nl >= 0; nl = text.indexOf("\n")) {
        const m = JSON.parse(text.slice(0, nl)) as Message;
        text = text.slice(nl + 1);
        answers.set(m.id, m);
        if (answers.size === requests) resolve();
      }
    });
  });
  for (const m of messages) input.write(`${JSON.stringify(m)}\n`);
  await done;
  await connection.close();
  return answers;
}

function earlyAnswers(messages: Message[], facts: DescribeFacts) {
  const early = new EarlyAnswers(describeTools(TOOLS, facts), () => {});
  return new Map(messages.map((m) => [m.id, early.answer(m)]));
}

const DEFAULTS: DescribeFacts = { confirmAbove: 100, dailyBudget: undefined };
const clientInfo = { name: "test-host", version: "1.0.0" };
const initialize = (protocolVersion: string, capabilities: object = {}) => ({
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion, capabilities, clientInfo },
});
const initialized = { jsonrpc: "2.0", method: "notifications/initialized" };
const envelope = {
  _meta: {
    "io.modelcontextprotocol/protocolVersion": MODERN_VERSION,
    "io.modelcontextprotocol/clientInfo": clientInfo,
    "io.modelcontextprotocol/clientCapabilities": { elicitation: {} },
  },
};
const request = (id: number, method: string, params?: object) => ({
  jsonrpc: "2.0",
  id,
  method,
  ...(params ? { params } : {}),
});

describe("early answers agree with the SDK server", () => {
  it("names only 2025-era versions the SDK supports (the 2026 one: see the 2026 opening)", () => {
    for (const v of EARLY_LEGACY_VERSIONS) expect(SUPPORTED_PROTOCOL_VERSIONS).toContain(v);
  });

  it("spells the SDK's _meta keys as the SDK does", () => {
    expect(META_KEYS).toEqual({
      version: PROTOCOL_VERSION_META_KEY,
      clientInfo: CLIENT_INFO_META_KEY,
      capabilities: CLIENT_CAPABILITIES_META_KEY,
      serverInfo: SERVER_INFO_META_KEY,
    });
  });

  const cases: [string, Message[], DescribeFacts][] = [
    ...EARLY_LEGACY_VERSIONS.map((v): [string, Message[], DescribeFacts] => [
      `2025 opening at ${v}`,
      [
        initialize(v, { elicitation: {} }),
        initialized,
        request(2, "tools/list", {}),
        request(3, "ping"),
      ],
      DEFAULTS,
    ]),
    [
      "2026 opening",
      [request(1, "server/discover", envelope), request(2, "tools/list", envelope)],
      DEFAULTS,
    ],
    [
      "2026 opening with tools/list (the client probed with discover in another process)",
      [request(1, "tools/list", envelope), request(2, "server/discover", envelope)],
      DEFAULTS,
    ],
    [
      "other settings in the descriptions",
      [initialize("2025-11-25"), initialized, request(2, "tools/list")],
      { confirmAbove: 40, dailyBudget: 300 },
    ],
    [
      "a budget in dollars",
      [request(1, "server/discover", envelope), request(2, "tools/list", envelope)],
      { confirmAbove: 40, dailyBudget: 3, budgetInUsd: true },
    ],
  ];
  it.each(cases)("%s", async (_name, messages, facts) => {
    const sdk = await sdkAnswers(messages, facts);
    const early = earlyAnswers(messages, facts);
    for (const m of messages.filter((m) => "id" in m)) {
      const given = early.get(m.id);
      expect(given, `${m.method} answered early`).toBeDefined();
      expect(given, String(m.method)).toEqual(sdk.get(m.id)?.result);
    }
  });
});

describe("what early answers leave to the SDK", () => {
  const left: [string, Message[]][] = [
    ["a protocol version not on the list", [initialize("2099-01-01")]],
    ["a request before the opening", [request(1, "tools/list", {})]],
    ["a page of tools/list", [initialize("2025-11-25"), request(2, "tools/list", { cursor: "x" })]],
    ["a tool call", [initialize("2025-11-25"), request(2, "tools/call", { name: "get_task" })]],
    [
      "a 2026 envelope with more in it",
      [
        request(1, "server/discover", {
          _meta: { ...envelope._meta, "io.modelcontextprotocol/logLevel": "info" },
        }),
      ],
    ],
    [
      "a 2025 tools/list on a 2026 opening",
      [request(1, "server/discover", envelope), request(2, "tools/list", {})],
    ],
    ["a capability that is not an object", [initialize("2025-11-25", { elicitation: true })]],
    [
      "clientInfo without a version",
      [
        {
          ...initialize("2025-11-25"),
          params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "x" } },
        },
      ],
    ],
  ];
  it.each(left)("%s", (_name, messages) => {
    const answers = earlyAnswers(messages, DEFAULTS);
    expect(answers.get(messages.at(-1)?.id)).toBeUndefined();
  });

  it("answers nothing after a message it left to the SDK", () => {
    const early = new EarlyAnswers(describeTools(TOOLS, DEFAULTS), () => {});
    expect(early.answer(initialize("2025-11-25"))).toBeDefined();
    expect(early.answer(request(2, "tools/call", { name: "get_task" }))).toBeUndefined();
    expect(early.answer(request(3, "tools/list"))).toBeUndefined();
  });

  it("answers nothing without the built tool list (running from source)", () => {
    expect(new EarlyAnswers(undefined, () => {}).answer(initialize("2025-11-25"))).toBeUndefined();
  });
});

describe("the SDK's own answers to what was answered early", () => {
  it("are dropped once each, and a different one is reported", () => {
    const mismatch = vi.fn();
    const early = new EarlyAnswers(describeTools(TOOLS, DEFAULTS), mismatch);
    const result = early.answer(initialize("2025-11-25"));
    expect(early.answer(request(2, "ping"))).toEqual({});
    expect(early.drop({ jsonrpc: "2.0", id: 1, result })).toBe(true);
    expect(mismatch).not.toHaveBeenCalled();
    expect(early.drop({ jsonrpc: "2.0", id: 1, result })).toBe(false);
    expect(early.drop({ jsonrpc: "2.0", id: 2, result: { other: true } })).toBe(true);
    expect(mismatch).toHaveBeenCalledWith("ping");
    expect(early.drop({ jsonrpc: "2.0", id: 3, result: {} })).toBe(false);
  });
});
