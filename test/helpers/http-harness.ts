/**
 * Hosted-mode harness: the simulator, a real tokens file, the HTTP server in-process on an
 * ephemeral loopback port, and the SDK's own StreamableHTTPClientTransport + Client.
 */

import { mkdtemp, rm } from "node:fs/promises";
import { type Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { ServerConfig } from "../../src/config.js";
import { type Logger, silentLogger } from "../../src/log.js";
import {
  type EvolinkSimulator,
  type EvolinkSimulatorOptions,
  startEvolinkSimulator,
} from "../../src/providers/evolink/simulator/index.js";
import { MODELS } from "../../src/providers/index.js";
import { Providers } from "../../src/providers/registry.js";
import { createRivyaClient } from "../../src/providers/rivya/client.js";
import { rivyaProvider } from "../../src/providers/rivya/provider.js";
import {
  type Simulator,
  type SimulatorOptions,
  startSimulator,
} from "../../src/providers/rivya/simulator/index.js";
import type { Provider } from "../../src/providers/types.js";
import { FileStore } from "../../src/store/file-store.js";
import { createTools } from "../../src/tools/index.js";
import { type HttpServerHandle, startHttpServer } from "../../src/transports/http.js";
import { HTTP_DEFAULTS, type HttpOptions } from "../../src/transports/http-options.js";
import { personalKeys } from "../../src/transports/people.js";
import { createToken, loadTokensFile } from "../../src/transports/tokens.js";
import { evolinkOn } from "./evolink.js";
import { testConfig } from "./harness.js";

export interface PersonSpec {
  name: string;
  dailyBudget?: number;
  /** Env var holding the person's own key; the harness sets it to a fresh simulator key. */
  keyEnv?: string;
  /** The same for an EvoLink key (needs `evolink` in the harness options). */
  evolinkKeyEnv?: string;
}

export interface HttpHarnessOptions {
  people?: PersonSpec[];
  http?: Partial<HttpOptions>;
  config?: Partial<ServerConfig>;
  sim?: SimulatorOptions;
  /** EvoLink on its simulator with these options; without it EvoLink is served with no key. */
  evolink?: EvolinkSimulatorOptions;
  log?: Logger;
  /** Providers served beside Rivya (their models offered by the tools too). */
  providers?: readonly Provider[];
}

export interface HttpHarness {
  sim: Simulator;
  evo: EvolinkSimulator | undefined;
  server: HttpServerHandle;
  url: string;
  /** Token per person name. */
  tokens: Record<string, string>;
  /** The server-wide key and each personal key, by person (or "server"). */
  keys: Record<string, string>;
  store: FileStore;
  dir: string;
  connect(token?: string): Promise<Client>;
  close(): Promise<void>;
}

let counter = 0;

export async function startHttpHarness(opts: HttpHarnessOptions = {}): Promise<HttpHarness> {
  const sim = await startSimulator({
    queuedMs: 60,
    processingMs: 120,
    rateLimit: null,
    ...opts.sim,
  });
  const dir = await mkdtemp(join(tmpdir(), "rivya-mcp-http-"));
  const serverKey = `rvya_sk_http_${process.pid}_${++counter}`;
  const keys: Record<string, string> = { server: serverKey };
  const env: NodeJS.ProcessEnv = {};
  const tokens: Record<string, string> = {};
  const tokensFile = join(dir, "tokens.json");
  for (const p of opts.people ?? []) {
    tokens[p.name] = await createToken(tokensFile, {
      name: p.name,
      dailyBudget: p.dailyBudget,
      rivyaKeyEnv: p.keyEnv,
      evolinkKeyEnv: p.evolinkKeyEnv,
    });
    if (p.keyEnv) {
      keys[p.name] = `rvya_sk_personal_${p.name}_${counter}`;
      env[p.keyEnv] = keys[p.name];
    }
    if (p.evolinkKeyEnv) {
      keys[`${p.name}:evolink`] = `evo_personal_${p.name}_${counter}`;
      env[p.evolinkKeyEnv] = keys[`${p.name}:evolink`];
    }
  }
  const evo = opts.evolink ? await startEvolinkSimulator(opts.evolink) : undefined;
  keys["server:evolink"] = `evo_http_${process.pid}_${counter}`;
  const evoProviders: Provider[] = [];
  const evolinkFor = (key: string | undefined) => {
    const p = evolinkOn(evo, key, silentLogger);
    evoProviders.push(p);
    return p;
  };
  const config = testConfig(dir, opts.config);
  const clientFor = (key: string | undefined) =>
    createRivyaClient({
      baseUrl: sim.url,
      ...(key ? { apiKey: key } : {}),
      retry: { baseDelayMs: 5, maxDelayMs: 50 },
    });
  const client = clientFor(serverKey);
  const store = await FileStore.open({ path: join(config.stateDir, "ledger.jsonl") });
  const file = opts.people?.length ? await loadTokensFile(tokensFile) : undefined;
  const server = await startHttpServer(
    {
      providers: new Providers([
        rivyaProvider(client, { baseUrl: sim.url }),
        evolinkFor(keys["server:evolink"]),
        ...(opts.providers ?? []),
      ]),
      ...(opts.providers?.length
        ? { tools: createTools([...MODELS, ...opts.providers.flatMap((p) => p.models)]) }
        : {}),
      connect: (id, key) =>
        id === "evolink" ? evolinkFor(key) : rivyaProvider(clientFor(key), { baseUrl: sim.url }),
      config,
      log: opts.log ?? silentLogger,
      store,
      tokens: file ? { entries: file.tokens, keys: personalKeys(file.tokens, env) } : undefined,
    },
    { ...HTTP_DEFAULTS, port: 0, host: "127.0.0.1", ...opts.http },
  );
  const clients: Client[] = [];
  return {
    sim,
    evo,
    server,
    url: server.url,
    tokens,
    keys,
    store,
    dir,
    async connect(token) {
      const transport = new StreamableHTTPClientTransport(new URL(server.url), {
        requestInit: token ? { headers: { authorization: `Bearer ${token}` } } : {},
      });
      const c = new Client({ name: "http-test", version: "1.0.0" });
      await c.connect(transport);
      clients.push(c);
      return c;
    },
    async close() {
      await Promise.all(clients.map((c) => c.close().catch(() => {})));
      // Closes the store too, after the drain.
      await server.shutdown();
      await client.close();
      await Promise.all(evoProviders.map((p) => p.close()));
      await sim.close();
      await evo?.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export async function call(c: Client, name: string, args: Record<string, unknown> = {}) {
  return (await c.callTool({ name, arguments: args })) as CallToolResult;
}

export { structuredOf as out, textOf } from "./harness.js";

export interface RawResponse {
  /** -1 when the server hung up instead of answering (fine for an oversized upload). */
  status: number;
  body: string;
  /** The client socket's local port: equal ports on one agent mean a reused connection. */
  localPort: number;
}

/**
 * A request through node:http, which sends any Host header, method or body (fetch does
 * not). An array body is sent chunk by chunk without a Content-Length, as a streaming
 * client would.
 */
export function rawRequest(
  url: string,
  method: string,
  headers: Record<string, string>,
  body?: string | Buffer[],
  { path, agent }: { path?: string; agent?: Agent } = {},
): Promise<RawResponse> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const req = request(
      { host: u.hostname, port: u.port, path: path ?? u.pathname, method, headers, agent },
      (res) => {
        let text = "";
        const localPort = res.socket.localPort ?? -1;
        res.on("data", (c) => (text += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text, localPort }));
        res.on("error", () => resolve({ status: -1, body: "", localPort }));
      },
    );
    req.on("error", () => resolve({ status: -1, body: "", localPort: -1 }));
    // A server that answers before the body is sent (413) may close while we still write:
    // the socket's EPIPE after the answer is expected, not an uncaught error.
    req.on("socket", (socket) => socket.on("error", () => {}));
    if (Array.isArray(body)) {
      req.setHeader("transfer-encoding", "chunked");
      for (const chunk of body) req.write(chunk);
      req.end();
    } else req.end(body);
  });
}

/** A raw MCP POST (for what the SDK client would never send). */
export function rawPost(url: string, body: string, headers: Record<string, string> = {}) {
  return fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      ...headers,
    },
    body,
  });
}

export const INIT = JSON.stringify({
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: {
    protocolVersion: "2025-06-18",
    capabilities: {},
    clientInfo: { name: "raw", version: "1" },
  },
});
