#!/usr/bin/env node
/**
 * Entry point: flags + env → config → stdio | http | simulate | token. Heavy parts (the
 * HTTP stack, the simulator) are imported only by the modes that use them, so a stdio
 * start loads as little as possible.
 */
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import {
  buildServerConfig,
  defaultStateDir,
  envValue,
  providerOrderFrom,
  ratesFrom,
  type ServerConfig,
} from "./config.js";
import { createLogger, type Level, type Logger } from "./log.js";
import { builtToolList, describeFacts } from "./mcp/tool-list.js";
import {
  connectionsFromEnv,
  connectProviders,
  PROVIDERS,
  providerSpec,
} from "./providers/index.js";
import {
  SIMULATE_FLAGS,
  SIMULATE_HELP,
  simulateOptions,
} from "./providers/rivya/simulator/command.js";
import { chooseStore, migrateStore, openStore, storeSecrets } from "./store/index.js";
import { answerEarly, EarlyAnswers } from "./transports/early-answers.js";
import { VERSION } from "./version.js";

/** The help text, with the default state folder as it resolves here. */
const help = (
  env: NodeJS.ProcessEnv,
) => `rivya-mcp ${VERSION} — MCP server for Rivya video generation

Usage:
  rivya-mcp                      stdio server (reads RIVYA_API_KEY)
  rivya-mcp --demo               stdio server on the built-in Rivya and EvoLink simulators (no key, no
                                 network); Rivya's tasks and balance survive restarts (kept under the
                                 state folder), EvoLink's live in memory
  rivya-mcp --http [--port 8080] [--host 127.0.0.1]
                                 Streamable HTTP server at /mcp (add --demo for the simulator)
  rivya-mcp simulate [--port N]  run only the Rivya-compatible simulator on loopback
                                 (--provider evolink: the EvoLink simulator instead)
                                 (credits, task timing, latency, failures, state: rivya-mcp simulate --help)
  rivya-mcp token create --name NAME --tokens-file FILE [--daily-budget N] [--rivya-key-env VAR]
                         [--evolink-key-env VAR]
                                 add a person's access token to FILE; prints the token once
  rivya-mcp store migrate --store postgres://...
                                 apply the PostgreSQL schema migrations now (servers also apply them at start)

Options:
  --allow-dir DIR                folder local uploads may read (repeatable; env RIVYA_MCP_ALLOW_DIRS)
  --output-dir DIR               where get_task saves videos (env RIVYA_MCP_OUTPUT_DIR)
  --no-auto-save                 don't save videos whose links expire when first seen finished
                                 (env RIVYA_MCP_AUTO_SAVE=0; stdio only)
  --state-dir DIR                where the task ledger lives (env RIVYA_MCP_STATE_DIR; default
                                 $XDG_STATE_HOME/rivya-mcp, else ~/.rivya-mcp: here ${defaultStateDir(env)};
                                 --demo without it uses the demo/ folder inside)
  --confirm-above N              calls above N credits need the person's OK (env RIVYA_MCP_CONFIRM_ABOVE; default 100)
  --daily-budget N               at most N credits per UTC day (env RIVYA_MCP_DAILY_BUDGET; default none)
  --providers LIST               family calls (kling-3.0): providers in order of preference, e.g.
                                 rivya,evolink (env RIVYA_MCP_PROVIDERS; default that order)
  --usd-per-credit LIST          dollars per credit, e.g. rivya=0.01,evolink=0.0139: family calls then go to
                                 the cheapest member by money (env RIVYA_MCP_USD_PER_CREDIT)
  --store postgres://...         keep the ledger in PostgreSQL, shared by replicas (env RIVYA_MCP_DATABASE_URL;
                                 ?schema=NAME picks the schema, default rivya_mcp); default: a file in the state folder
  --log-level LEVEL              debug | info | warn | error (default info; logs go to stderr)
  -h, --help                     this text
  -v, --version                  the version

Hosted mode (--http):
  --tokens-file FILE             access tokens (required unless --host is loopback)
  --stateless                    fresh server per request (replicas without sticky routing)
  --allowed-host NAME            extra Host name to accept, e.g. the proxy's public name (repeatable)
  --allowed-origin ORIGIN        browser Origin to accept besides same-host (repeatable)
  --max-body-mb N                request body limit (default 16)
  --public-url URL               this server's https address as providers see it: providers that
                                 call back (EvoLink) then report finished tasks to it
  --rate-limit N                 requests per second per token, bursts of 3×N (default 20; none for
                                 the local user without --tokens-file; 0 = off)
  --session-idle-seconds N       close sessions idle this long (default 1800)
  --max-sessions N               open sessions at most; the least recently used idle one goes (default 1000)
  --max-sessions-per-person N    open sessions one token may hold; its own idle ones go first (default 50)

Environment:
  RIVYA_API_KEY                  your Rivya key (rvya_sk_...)
  RIVYA_BASE_URL                 API base URL (default https://rivya.ai)
  EVOLINK_API_KEY                your EvoLink key (EvoLink's Kling V3 models; without it they are
                                 listed as not configured)
  EVOLINK_BASE_URL               EvoLink API base URL (default https://api.evolink.ai)
  EVOLINK_FILES_URL              EvoLink Files API base URL, for upload_reference (default
                                 https://files-api.evolink.ai)
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
  const simulate = positionals[0] === "simulate";
  if (values.help && simulate) return simulateCommand(values, undefined);
  if (values.help) return void process.stdout.write(help(process.env));
  if (values.version) return void process.stdout.write(`${VERSION}\n`);

  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535))
    fail(`--port must be 0–65535, got ${values.port}`);

  if (simulate) return simulateCommand(values, port);
  const simulateOnly = SIMULATE_FLAGS.find((f) => values[f] !== undefined);
  if (simulateOnly) fail(`--${simulateOnly} is a flag of 'rivya-mcp simulate'`);
  if (port !== undefined && !values.http) {
    fail(
      "--port only applies to the HTTP server: add --http to serve on that port (the stdio server has no port)",
    );
  }
  if (positionals[0] === "token") return tokenCommand(positionals.slice(1), values);
  if (positionals[0] === "store") return storeCommand(positionals.slice(1), values.store);
  if (positionals.length) fail(`unknown command '${positionals[0]}'`);
  // A stdio start begins loading its transport (the SDK, the tools) now, so the file reads
  // overlap the configuration work below and the store's opening.
  const stdioModule = values.http ? undefined : import("./transports/stdio.js");

  const config = buildServerConfig(process.env, {
    ...(values["allow-dir"]?.length
      ? { allowDirs: values["allow-dir"].map((d) => resolve(d)) }
      : {}),
    ...(values["output-dir"] ? { outputDir: resolve(values["output-dir"]) } : {}),
    ...(values["no-auto-save"] ? { autoSave: false } : {}),
    ...(values["state-dir"] ? { stateDir: resolve(values["state-dir"]) } : {}),
    ...credits("confirm-above", "confirmAbove", values["confirm-above"]),
    ...credits("daily-budget", "dailyBudget", values["daily-budget"]),
    ...routingPolicy(values.providers, values["usd-per-credit"]),
  });
  // Demo tasks live on the simulator: keep them out of the default ledger.
  const stateDirChosen = values["state-dir"] || envValue(process.env, "RIVYA_MCP_STATE_DIR");
  if (values.demo && !stateDirChosen) config.stateDir = join(config.stateDir, "demo");

  const userAgent = `rivya-mcp/${VERSION}`;
  const connections = connectionsFromEnv(process.env, userAgent);
  if (values.demo) {
    const baseUrl = await startDemoSimulator(join(config.stateDir, "simulator"));
    connections.set("rivya", { baseUrl, apiKey: "rvya_sk_demo", userAgent });
    const evolinkUrl = await startEvolinkDemoSimulator();
    const evolinkDemo = { baseUrl: evolinkUrl, filesUrl: evolinkUrl, apiKey: "evo_demo" };
    connections.set("evolink", { ...evolinkDemo, userAgent });
  }
  const apiKeys = [...connections.values()].flatMap((c) => c.apiKey ?? []);
  const store = storeChoice(values.store, config.stateDir);
  // Hosted mode's flags and tokens file are checked before anything starts listening.
  const hosted = values.http
    ? await import("./transports/http-setup.js")
        .then((m) => m.prepareHosted(values, port ?? 8080, values.host ?? "127.0.0.1", process.env))
        .catch((err: Error) => fail(err.message))
    : undefined;
  // The demo's two simulators need rates for a budget to mean anything: EvoLink's public one,
  // and a cent per simulated Rivya credit. Given rates win.
  if (values.demo) config.usdPerCredit ??= { rivya: 0.01, evolink: 1 / 72 };
  const keyed = [...connections].filter(([, c]) => c.apiKey).map(([id]) => id);
  const personal = hosted?.tokens
    ? await import("./transports/people.js").then(({ keyEnvsOf }) =>
        (hosted.tokens?.entries ?? []).flatMap((t) => keyEnvsOf(t).map(([id]) => id)),
      )
    : [];
  const budgets =
    config.dailyBudget !== undefined ||
    Boolean(hosted?.tokens?.entries.some((t) => t.daily_budget !== undefined));
  config.budgetInUsd = budgetsInUsd([...new Set([...keyed, ...personal])], budgets, config);
  const level = values["log-level"] ?? "info";
  if (!isLevel(level)) fail(`--log-level must be one of debug, info, warn, error; got '${level}'`);
  const log = createLogger({
    level,
    secrets: [...apiKeys, ...(hosted?.secrets ?? []), ...storeSecrets(store)],
  });
  if (config.budgetInUsd && budgets)
    log.info("daily budgets count US dollars: several providers have keys", {
      usd_per_credit: config.usdPerCredit,
    });
  if (apiKeys.length === 0)
    log.warn("RIVYA_API_KEY is not set: only list_models will work. Set it, or try --demo.");
  const providers = connectProviders(connections);
  // A person's own key from the tokens file, for one provider.
  const connect = (id: string, key: string) => {
    const spec = providerSpec(id);
    const connection = connections.get(id);
    if (!spec || !connection) throw new Error(`unknown provider ${id}`);
    return spec.connect({ ...connection, apiKey: key });
  };

  if (hosted) {
    const { runHttp } = await import("./transports/http.js");
    await runHttp({
      providers,
      connect,
      config,
      log,
      tokens: hosted.tokens,
      http: hosted.options,
      store,
    });
    return;
  }
  // stdio: the host's opening requests are answered while the SDK and the tools load.
  const early = answerOpening(config, log);
  const [{ runStdio }, opened] = await Promise.all([
    stdioModule ?? import("./transports/stdio.js"),
    openStore(store),
  ]);
  await runStdio(
    { providers, config, log, owner: "local", store: opened, dailyBudget: config.dailyBudget },
    early,
  );
}

function answerOpening(config: ServerConfig, log: Logger) {
  const facts = describeFacts(config, config.dailyBudget);
  const answers = new EarlyAnswers(builtToolList(facts), (method) =>
    log.warn("an early answer differed from the SDK's (a bug: please report it)", { method }),
  );
  return answerEarly(process.stdin, process.stdout, answers);
}

/** The store the flag or RIVYA_MCP_DATABASE_URL names, or the file ledger in the state folder. */
function storeChoice(flag: string | undefined, stateDir: string) {
  try {
    return chooseStore(flag, envValue(process.env, "RIVYA_MCP_DATABASE_URL"), stateDir);
  } catch (err) {
    fail((err as Error).message);
  }
}

/** `store migrate`: for operators who migrate before rolling out new replicas. */
async function storeCommand(args: string[], flag: string | undefined): Promise<void> {
  const usage = "usage: rivya-mcp store migrate --store postgres://... (or RIVYA_MCP_DATABASE_URL)";
  if (args.length !== 1 || args[0] !== "migrate") fail(usage);
  const choice = storeChoice(flag, "");
  if (choice.kind !== "postgres") fail(`store migrate needs a PostgreSQL URL\n${usage}`);
  const applied = await migrateStore(choice.url).catch((err: Error) =>
    fail(`migration failed: ${err.message}`),
  );
  process.stderr.write(
    applied.length
      ? `Applied migration${applied.length > 1 ? "s" : ""} ${applied.join(", ")}; the schema is up to date.\n`
      : "The schema was already up to date; nothing applied.\n",
  );
}

/**
 * The demo's simulator, keeping its state beside the demo ledger so a restarted demo still
 * knows its tasks and balance. When another demo already holds that folder (two hosts on
 * the default one), this one runs in memory rather than overwrite the other's state.
 */
async function startDemoSimulator(stateDir: string): Promise<string> {
  const { startSimulator, StateDirBusyError } = await import(
    "./providers/rivya/simulator/index.js"
  );
  const demo = { startingCredits: 1000, queuedMs: 2000, processingMs: 6000 };
  try {
    return (await startSimulator({ ...demo, stateDir })).url;
  } catch (err) {
    if (!(err instanceof StateDirBusyError)) throw err;
    process.stderr.write(
      `rivya-mcp: ${err.message}. This demo keeps its tasks in memory only; give it its own --state-dir to keep them.\n`,
    );
    return (await startSimulator(demo)).url;
  }
}

/**
 * The demo's EvoLink simulator, with the Rivya demo's timing. It keeps its tasks in memory
 * only (it has no state folder), so a restarted demo no longer knows its EvoLink tasks.
 */
async function startEvolinkDemoSimulator(): Promise<string> {
  const { startEvolinkSimulator } = await import("./providers/evolink/simulator/index.js");
  return (
    await startEvolinkSimulator({ startingCredits: 1000, pendingMs: 2000, processingMs: 6000 })
  ).url;
}

/** `simulate`: only the simulator, with the flags SIMULATE_HELP lists; runs until killed. */
async function simulateCommand(
  values: ReturnType<typeof parse>["values"],
  port: number | undefined,
): Promise<void> {
  if (values.help) return void process.stdout.write(SIMULATE_HELP);
  if (values.provider === "evolink") return simulateEvolink(values, port);
  if (values.provider !== undefined && values.provider !== "rivya")
    fail(`--provider must be rivya or evolink; got '${values.provider}'`);
  let options: ReturnType<typeof simulateOptions>;
  try {
    options = simulateOptions(values, port);
  } catch (err) {
    fail(`${(err as Error).message} (see rivya-mcp simulate --help)`);
  }
  const { startSimulator } = await import("./providers/rivya/simulator/index.js");
  const sim = await startSimulator(options);
  const kept = options.stateDir ? `; state kept in ${options.stateDir}` : "";
  process.stderr.write(
    `Rivya simulator listening on ${sim.url} (any rvya_sk_ key is accepted${kept})\n`,
  );
}

async function simulateEvolink(
  values: ReturnType<typeof parse>["values"],
  port: number | undefined,
) {
  const { runEvolinkSimulator } = await import("./providers/evolink/simulator/command.js");
  await runEvolinkSimulator(values, port).catch((err: Error) =>
    fail(`${err.message} (see rivya-mcp simulate --help)`),
  );
}

/** `token create`: the token goes to stdout (once, for piping); everything else to stderr. */
async function tokenCommand(
  args: string[],
  values: ReturnType<typeof parse>["values"],
): Promise<void> {
  const usage =
    "usage: rivya-mcp token create --name NAME --tokens-file FILE [--daily-budget N] [--rivya-key-env VAR] [--evolink-key-env VAR]";
  if (args.length !== 1 || args[0] !== "create") fail(usage);
  if (!values.name || !values["tokens-file"])
    fail(`token create needs --name and --tokens-file\n${usage}`);
  const file = resolve(values["tokens-file"]);
  const { createToken } = await import("./transports/tokens.js");
  const token = await createToken(file, {
    name: values.name,
    dailyBudget: credits("daily-budget", "budget", values["daily-budget"]).budget,
    rivyaKeyEnv: values["rivya-key-env"],
    evolinkKeyEnv: values["evolink-key-env"],
  }).catch((err: Error) => fail(err.message));
  process.stdout.write(`${token}\n`);
  process.stderr.write(
    `Added '${values.name}' to ${file}. Give this token to ${values.name}: it is stored only as a hash and cannot be shown again.\n`,
  );
}

function isLevel(value: string): value is Level {
  return ["debug", "info", "warn", "error"].includes(value);
}

/**
 * The unit of daily budgets. One provider with a key: its credits. Several: credits of
 * different providers are different money, so budgets are in US dollars at --usd-per-credit,
 * and a budget without a rate for every such provider is refused as ambiguous.
 */
function budgetsInUsd(keyed: string[], budgets: boolean, config: ServerConfig): boolean {
  if (keyed.length < 2) return false;
  const missing = keyed.filter((id) => config.usdPerCredit?.[id] === undefined);
  if (missing.length === 0) return true;
  if (budgets)
    fail(
      `daily budgets are ambiguous: ${keyed.join(" and ")} both have keys and their credits are different money. Give --usd-per-credit for ${missing.join(", ")} (budgets then count US dollars), or keep one provider's key.`,
    );
  return false;
}

/** Family calls' routing: preference order and money rates, from flags or the environment. */
function routingPolicy(order: string | undefined, rates: string | undefined) {
  const ids = PROVIDERS.map((p) => p.id);
  const orderText = order ?? envValue(process.env, "RIVYA_MCP_PROVIDERS");
  const ratesText = rates ?? envValue(process.env, "RIVYA_MCP_USD_PER_CREDIT");
  try {
    return {
      ...(orderText ? { providerOrder: providerOrderFrom(orderText, ids) } : {}),
      ...(ratesText ? { usdPerCredit: ratesFrom(ratesText, ids) } : {}),
    };
  } catch (err) {
    return fail((err as Error).message);
  }
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
      "no-auto-save": { type: "boolean" },
      "state-dir": { type: "string" },
      "confirm-above": { type: "string" },
      "daily-budget": { type: "string" },
      store: { type: "string" },
      "log-level": { type: "string" },
      "tokens-file": { type: "string" },
      stateless: { type: "boolean" },
      "allowed-host": { type: "string", multiple: true },
      "allowed-origin": { type: "string", multiple: true },
      "max-body-mb": { type: "string" },
      "rate-limit": { type: "string" },
      "session-idle-seconds": { type: "string" },
      "max-sessions": { type: "string" },
      "max-sessions-per-person": { type: "string" },
      "public-url": { type: "string" },
      providers: { type: "string" },
      "usd-per-credit": { type: "string" },
      name: { type: "string" },
      "rivya-key-env": { type: "string" },
      "evolink-key-env": { type: "string" },
      credits: { type: "string" },
      "queued-ms": { type: "string" },
      "processing-ms": { type: "string" },
      "latency-ms": { type: "string" },
      "failure-rate": { type: "string" },
      provider: { type: "string" },
    },
  });
}

main(process.argv.slice(2)).catch((err) => {
  process.stderr.write(`rivya-mcp: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
