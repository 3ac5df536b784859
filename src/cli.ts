#!/usr/bin/env node
/**
 * Entry point: flags + env → config → stdio | http | simulate | token. Heavy parts (the
 * HTTP stack, the simulator) are imported only by the modes that use them, so a stdio
 * start loads as little as possible.
 */
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { buildServerConfig, envValue } from "./config.js";
import { createLogger } from "./log.js";
import { VERSION } from "./version.js";

const HELP = `rivya-mcp ${VERSION} — MCP server for Rivya video generation

Usage:
  rivya-mcp                      stdio server (reads RIVYA_API_KEY)
  rivya-mcp --demo               stdio server on the built-in Rivya simulator (no key, no network)
  rivya-mcp --http [--port 8080] [--host 127.0.0.1]
                                 Streamable HTTP server at /mcp (add --demo for the simulator)
  rivya-mcp simulate [--port N]  run only the Rivya-compatible simulator on loopback

Options:
  --allow-dir DIR                folder local uploads may read (repeatable; env RIVYA_MCP_ALLOW_DIRS)
  --output-dir DIR               where get_task saves videos (env RIVYA_MCP_OUTPUT_DIR)
  --state-dir DIR                where the task ledger lives (env RIVYA_MCP_STATE_DIR; default ~/.rivya-mcp)
  --confirm-above N              calls above N credits need the person's OK (env RIVYA_MCP_CONFIRM_ABOVE; default 100)
  --daily-budget N               at most N credits per UTC day (env RIVYA_MCP_DAILY_BUDGET; default none)
  --log-level LEVEL              debug | info | warn | error (default info; logs go to stderr)
  -h, --help                     this text
  -v, --version                  the version

Environment:
  RIVYA_API_KEY                  your Rivya key (rvya_sk_...)
  RIVYA_BASE_URL                 API base URL (default https://rivya.ai)
`;

function fail(message: string): never {
  process.stderr.write(`rivya-mcp: ${message}\nRun rivya-mcp --help for usage.\n`);
  process.exit(2);
}

async function main(argv: string[]): Promise<void> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err));
  }
  const { values, positionals } = parsed;
  if (values.help) return void process.stdout.write(HELP);
  if (values.version) return void process.stdout.write(`${VERSION}\n`);

  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535))
    fail(`--port must be 0–65535, got ${values.port}`);

  if (positionals[0] === "simulate") {
    const { startSimulator } = await import("./simulator/index.js");
    const sim = await startSimulator({ port: port ?? 0 });
    process.stderr.write(
      `Rivya simulator listening on ${sim.url} (any rvya_sk_ key is accepted)\n`,
    );
    return;
  }
  if (positionals.length) fail(`unknown command '${positionals[0]}'`);

  let apiKey = envValue(process.env, "RIVYA_API_KEY");
  let baseUrl = envValue(process.env, "RIVYA_BASE_URL") ?? "https://rivya.ai";
  if (values.demo) {
    const { startSimulator } = await import("./simulator/index.js");
    const sim = await startSimulator({
      port: 0,
      startingCredits: 1000,
      queuedMs: 2000,
      processingMs: 6000,
    });
    apiKey = "rvya_sk_demo";
    baseUrl = sim.url;
  }
  const log = createLogger({
    level: (values["log-level"] as "info") ?? "info",
    secrets: apiKey ? [apiKey] : [],
  });
  if (!apiKey)
    log.warn("RIVYA_API_KEY is not set: only list_models will work. Set it, or try --demo.");

  const config = buildServerConfig(process.env, {
    ...(values["allow-dir"]?.length ? { allowDirs: values["allow-dir"].map((d) => resolve(d)) } : {}),
    ...(values["output-dir"] ? { outputDir: resolve(values["output-dir"]) } : {}),
    ...(values["state-dir"] ? { stateDir: resolve(values["state-dir"]) } : {}),
    ...credits("confirm-above", "confirmAbove", values["confirm-above"]),
    ...credits("daily-budget", "dailyBudget", values["daily-budget"]),
  });
  const { createRivyaClient } = await import("./rivya/client.js");
  const client = createRivyaClient({
    baseUrl,
    ...(apiKey ? { apiKey } : {}),
    userAgent: `rivya-mcp/${VERSION}`,
  });

  if (values.http) {
    const { runHttp } = await import("./transports/http.js");
    await runHttp({
      client,
      config: { ...config, transport: "http" },
      log,
      port: port ?? 8080,
      host: values.host ?? "127.0.0.1",
    });
    return;
  }
  const { FileStore } = await import("./store/file-store.js");
  const store = await FileStore.open({ path: join(config.stateDir, "ledger.jsonl") });
  const { runStdio } = await import("./transports/stdio.js");
  await runStdio({ client, config, log, owner: "local", store, dailyBudget: config.dailyBudget });
}

function credits(flag: string, key: string, value: string | undefined): Record<string, number> {
  if (value === undefined) return {};
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) fail(`--${flag} must be a number of credits, got '${value}'`);
  return { [key]: n };
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      help: { type: "boolean", short: "h" },
      version: { type: "boolean", short: "v" },
      demo: { type: "boolean" },
      http: { type: "boolean" },
      port: { type: "string" },
      host: { type: "string" },
      "allow-dir": { type: "string", multiple: true },
      "output-dir": { type: "string" },
      "state-dir": { type: "string" },
      "confirm-above": { type: "string" },
      "daily-budget": { type: "string" },
      "log-level": { type: "string" },
    },
  });
}

main(process.argv.slice(2)).catch((err) => {
  process.stderr.write(`rivya-mcp: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
