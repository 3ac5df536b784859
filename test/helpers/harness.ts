/**
 * Test harness: the real simulator over real HTTP, the real client, and the server driven
 * by the SDK's own MCP Client over an in-memory transport pair.
 */

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { CallToolResult, ClientCapabilities } from "@modelcontextprotocol/sdk/types.js";
import { afterEach } from "vitest";
import type { ModelTable } from "../../src/catalog/types.js";
import { buildServerConfig, type ServerConfig } from "../../src/config.js";
import { ProviderHealth } from "../../src/generation/provider-health.js";
import { type Logger, silentLogger } from "../../src/log.js";
import { createServer } from "../../src/mcp/server.js";
import {
  type EvolinkSimulator,
  type EvolinkSimulatorOptions,
  startEvolinkSimulator,
} from "../../src/providers/evolink/simulator/index.js";
import { FAMILIES } from "../../src/providers/families.js";
import { Providers } from "../../src/providers/registry.js";
import { createRivyaClient, type RivyaClient } from "../../src/providers/rivya/client.js";
import { rivyaProvider } from "../../src/providers/rivya/provider.js";
import {
  type Simulator,
  type SimulatorOptions,
  startSimulator,
} from "../../src/providers/rivya/simulator/index.js";
import type { Provider } from "../../src/providers/types.js";
import { FileStore } from "../../src/store/file-store.js";
import { createTools } from "../../src/tools/index.js";
import { evolinkOn } from "./evolink.js";

export interface Harness {
  sim: Simulator;
  client: RivyaClient;
  /** The EvoLink simulator, when the harness was started with `evolink`. */
  evo: EvolinkSimulator | undefined;
  evoKey: string;
  mcp: Client;
  apiKey: string;
  config: ServerConfig;
  store: FileStore;
  dir: string;
  call(name: string, args?: Record<string, unknown>): Promise<CallToolResult>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  sim?: SimulatorOptions;
  config?: Partial<ServerConfig>;
  capabilities?: ClientCapabilities;
  /** Rivya's tables (default: the shipped ones). */
  models?: readonly ModelTable[];
  /**
   * EvoLink on its simulator with these options; without it EvoLink is served unconfigured
   * (no key), as a server without EVOLINK_API_KEY serves it.
   */
  evolink?: EvolinkSimulatorOptions;
  /** Providers served beside Rivya and EvoLink, their models offered by the tools too. */
  providers?: readonly Provider[];
  /** Family tables offered besides the providers' models (default: the shipped ones). */
  families?: readonly ModelTable[];
  /** The providers' circuit breakers (default: a fresh set per harness). */
  health?: ProviderHealth;
  apiKey?: string;
  /** Point the Rivya client here instead of at the simulator (e.g. a hostile stub). */
  upstreamUrl?: string;
  /** Where the server logs (default: nowhere). */
  log?: Logger;
}

let counter = 0;

/** The config every harness uses: files under `dir`, fast polls, a high confirm threshold. */
export function testConfig(dir: string, overrides: Partial<ServerConfig> = {}): ServerConfig {
  return buildServerConfig(
    {},
    {
      allowDirs: [dir],
      outputDir: join(dir, "out"),
      firstPollDelayMs: 30,
      pollIntervalMs: 60,
      blockPrivateUrls: true,
      confirmAbove: 1000,
      stateDir: join(dir, "state"),
      ...overrides,
    },
  );
}

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const sim = await startSimulator({ queuedMs: 60, processingMs: 120, ...opts.sim });
  const apiKey = opts.apiKey ?? `rvya_sk_test_${process.pid}_${++counter}`;
  const client = createRivyaClient({
    baseUrl: opts.upstreamUrl ?? sim.url,
    apiKey,
    retry: { baseDelayMs: 5, maxDelayMs: 50 },
  });
  const dir = await mkdtemp(join(tmpdir(), "rivya-mcp-test-"));
  const config = testConfig(dir, opts.config);
  const rivya = rivyaProvider(client, {
    ...(opts.models ? { models: opts.models } : {}),
    baseUrl: opts.upstreamUrl ?? sim.url,
  });
  const evo = opts.evolink ? await startEvolinkSimulator(opts.evolink) : undefined;
  const evoKey = `evo_test_${process.pid}_${counter}`;
  const evolink = evolinkOn(evo, evoKey, opts.log ?? silentLogger);
  const providers = new Providers([rivya, evolink, ...(opts.providers ?? [])]);
  const tools = createTools([
    ...providers.list.flatMap((p) => p.models),
    ...(opts.families ?? FAMILIES),
  ]);
  const store = await FileStore.open({ path: join(dir, "state", "ledger.jsonl") });
  const server = createServer(
    {
      providers,
      health: opts.health ?? new ProviderHealth(),
      config,
      log: opts.log ?? silentLogger,
      owner: "local",
      store,
      dailyBudget: config.dailyBudget,
    },
    tools,
  );
  const mcp = new Client(
    { name: "test-client", version: "1.0.0" },
    { capabilities: opts.capabilities ?? {} },
  );
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await Promise.all([server.connect(serverSide), mcp.connect(clientSide)]);
  return {
    sim,
    client,
    evo,
    evoKey,
    mcp,
    apiKey,
    config,
    store,
    dir,
    call: (name, args = {}) => mcp.callTool({ name, arguments: args }) as Promise<CallToolResult>,
    async close() {
      await mcp.close();
      await server.close();
      await client.close();
      await evolink.close();
      await sim.close();
      await evo?.close();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A harness per test, closed after each: `const harness = harnessPerTest();` at file level. */
export function harnessPerTest(): (opts?: HarnessOptions) => Promise<Harness> {
  let current: Harness | undefined;
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return async (opts = {}) => {
    current = await startHarness(opts);
    return current;
  };
}

/** The structured result of a tool call, loosely typed for assertions. */
export const structuredOf = (r: unknown) =>
  (r as { structuredContent?: unknown }).structuredContent as any;

/** The text of a tool result, from either SDK generation's client (or a raw response). */
export function textOf(result: { content?: unknown }): string {
  return ((result.content ?? []) as { type: string; text?: string }[])
    .filter((c) => c.type === "text")
    .map((c) => c.text)
    .join("\n");
}

/** Generations the simulator created for this key (what was actually paid for). */
export function createdTasks(h: Harness) {
  return h.sim.tasks(h.apiKey);
}
