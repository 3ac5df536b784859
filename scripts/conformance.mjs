#!/usr/bin/env node
/**
 * Runs the official MCP conformance suite's server scenarios against rivya-mcp, for both
 * protocol generations, and says for each scenario whether it passed, failed, or does not
 * apply to this server (and why). Exits 1 when an applicable scenario fails, 2 when the run
 * itself could not be made.
 *
 *   npm run conformance                    (builds first; plain `node scripts/conformance.mjs`
 *                                           expects dist/ to be built already)
 *
 * Options:
 *   --generation G   2025-11-25 or 2026-07-28 (repeatable; default both)
 *   --setup S        local: loopback without a tokens file, as one person runs it at home;
 *                    hosted: a tokens file and a bearer token, as a shared deployment runs it;
 *                    stateless: hosted with --stateless, as replicas without sticky routing run
 *                    (repeatable; default all three)
 *   --url URL        test a server that is already running instead of starting one
 *   --token TOKEN    bearer token for --url (sent through the header-adding proxy below)
 *   --json FILE      also write every row as JSON (the e2e test reads this)
 *   --keep DIR       keep the suite's raw checks.json files under DIR (server state is always removed)
 *   --verbose        print every failing and warning check, not only the first per scenario
 *
 * Why the pieces below exist:
 * - The suite runs each revision's frozen requirement set (`--requirements`), which fixes the
 *   wire each scenario runs at: initialize + sessions for 2025-11-25, per-request `_meta` and
 *   no handshake for 2026-07-28. One run per generation, against the same /mcp endpoint.
 * - The suite has no way to send an Authorization header, so the hosted setup puts a small
 *   loopback proxy in front of the server that adds the bearer token and passes everything
 *   else (Host, Origin, bodies, SSE streams) through untouched.
 * - Many scenarios call tools, prompts or resources that exist only in the suite's own
 *   reference server ("test_simple_text", "test_prompt_with_arguments", …) or need a
 *   capability this server does not offer. Which ones apply is decided from what the server
 *   itself advertises (initialize / server/discover and tools/list), so a scenario becomes
 *   applicable by itself the day the server starts offering what it needs.
 */
import { spawn, spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import http from "node:http";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const GENERATIONS = ["2025-11-25", "2026-07-28"];
const SETUPS = ["local", "hosted", "stateless"];
const TASKS_EXTENSION = "io.modelcontextprotocol/tasks";

// ---------------------------------------------------------------------------------------------
// What each scenario needs from the server under test. A need this server does not meet makes
// the scenario "n/a" with the need as the reason. Kinds:
//   capability: NAME   the server must advertise capabilities[NAME]
//   tool: NAME         tools/list must include NAME (the reference server's fixture tools)
//   extension: ID      capabilities.extensions[ID] (2026-07-28 discover result)
//   schemaKey: KEY     some tool's inputSchema uses the keyword KEY
//   never: WHY         does not apply to this server whatever it advertises
// A scenario the suite lists but this table does not know is run and scored as applicable,
// and marked "unclassified", so a suite upgrade cannot hide a new failure.
// ---------------------------------------------------------------------------------------------
const cap = (capability) => ({ capability });
const tool = (name) => ({ tool: name });
const ext = (extension) => ({ extension });

const NEEDS = {
  // Lifecycle, transport and tool listing: what every MCP server over HTTP must get right.
  "server-initialize": [],
  "server-session-lifecycle": [],
  "server-stateless": [],
  ping: [],
  "tools-list": [],
  "server-sse-multiple-streams": [],
  "dns-rebinding-protection": [],
  caching: [],
  "http-header-validation": [],
  // SEP-2243 custom headers are declared per tool parameter with "x-mcp-header"; no tool of
  // this server mirrors a parameter into a header.
  "http-custom-header-server-validation": [{ schemaKey: "x-mcp-header" }],
  "input-required-result-unsupported-methods": [],
  "input-required-result-validate-input": [tool("test_input_required_result_elicitation")],

  "logging-set-level": [cap("logging")],
  "completion-complete": [cap("completions"), cap("prompts")],

  "tools-call-simple-text": [tool("test_simple_text")],
  "tools-call-image": [tool("test_image_content")],
  "tools-call-audio": [tool("test_audio_content")],
  "tools-call-embedded-resource": [tool("test_embedded_resource")],
  "tools-call-mixed-content": [tool("test_multiple_content_types")],
  "tools-call-with-logging": [cap("logging"), tool("test_tool_with_logging")],
  "tools-call-error": [tool("test_error_handling")],
  "tools-call-with-progress": [tool("test_tool_with_progress")],
  "tools-call-sampling": [tool("test_sampling")],
  "tools-call-elicitation": [tool("test_elicitation")],
  "elicitation-sep1034-defaults": [tool("test_elicitation_sep1034_defaults")],
  "elicitation-sep1330-enums": [tool("test_elicitation_sep1330_enums")],
  "json-schema-2020-12": [tool("json_schema_2020_12_tool")],
  "server-sse-polling": [tool("test_reconnection")],

  "resources-list": [cap("resources")],
  "resources-read-text": [cap("resources")],
  "resources-read-binary": [cap("resources")],
  "resources-templates-read": [cap("resources")],
  "resources-subscribe": [cap("resources")],
  "resources-unsubscribe": [cap("resources")],
  "sep-2164-resource-not-found": [cap("resources")],
  "prompts-list": [cap("prompts")],
  "prompts-get-simple": [cap("prompts"), tool("test_simple_prompt")],
  "prompts-get-with-args": [cap("prompts")],
  "prompts-get-embedded-resource": [cap("prompts")],
  "prompts-get-with-image": [cap("prompts")],

  "input-required-result-basic-elicitation": [tool("test_input_required_result_elicitation")],
  "input-required-result-basic-sampling": [tool("test_input_required_result_sampling")],
  "input-required-result-basic-list-roots": [tool("test_input_required_result_list_roots")],
  "input-required-result-request-state": [tool("test_input_required_result_request_state")],
  "input-required-result-multiple-input-requests": [
    tool("test_input_required_result_multiple_inputs"),
  ],
  "input-required-result-multi-round": [tool("test_input_required_result_multi_round")],
  "input-required-result-missing-input-response": [tool("test_input_required_result_elicitation")],
  "input-required-result-non-tool-request": [
    cap("prompts"),
    tool("test_input_required_result_prompt"),
  ],
  "input-required-result-result-type": [tool("test_input_required_result_elicitation")],
  "input-required-result-tampered-state": [tool("test_input_required_result_tampered_state")],
  "input-required-result-capability-check": [tool("test_input_required_result_capabilities")],
  "input-required-result-ignore-extra-params": [tool("test_input_required_result_elicitation")],

  // Tasks (SEP-2663): scenarios whose every check starts from one of the reference server's
  // fixture tools (slow_compute, greet, failing_job, …) need that tool; the three that also
  // probe the server's own method gating are scored check by check (CHECK_NEEDS).
  "tasks-lifecycle": [ext(TASKS_EXTENSION), tool("slow_compute")],
  "tasks-capability-negotiation": [ext(TASKS_EXTENSION)],
  "tasks-wire-fields": [ext(TASKS_EXTENSION), tool("slow_compute")],
  "tasks-request-state-removal": [ext(TASKS_EXTENSION), tool("slow_compute")],
  "tasks-mrtr-input": [ext(TASKS_EXTENSION), tool("confirm_delete")],
  "tasks-request-headers": [ext(TASKS_EXTENSION)],
  "tasks-dispatch-and-envelope": [ext(TASKS_EXTENSION)],
  "tasks-status-notifications": [ext(TASKS_EXTENSION)],
  "tasks-required-task-error": [ext(TASKS_EXTENSION), tool("failing_job")],
  "tasks-mrtr-composition": [ext(TASKS_EXTENSION), tool("test_tool_with_task")],

  // Skills (SEP-2640) is an extension in neither revision's requirement set; this server
  // publishes no skills.
  "sep-2640-skills-directory": [{ never: "skills extension (SEP-2640): no skills are offered" }],
  "sep-2640-skills-enumeration": [{ never: "skills extension (SEP-2640): no skills are offered" }],
  "sep-2640-skills-manifest": [{ never: "skills extension (SEP-2640): no skills are offered" }],
};

/**
 * Single checks inside an applicable scenario that exercise something this server does not
 * offer: server-stateless and the tasks scenarios drive the reference server's fixture tools,
 * and caching asks every cacheable list endpoint, prompts and resources included. Keyed
 * "scenario:check-id".
 */
const CHECK_NEEDS = {
  "server-stateless:sep-2575-server-rejects-undeclared-capability": [
    tool("test_missing_capability"),
  ],
  "server-stateless:sep-2575-missing-capability-http-400": [tool("test_missing_capability")],
  "server-stateless:sep-2575-http-server-no-independent-requests-on-stream": [
    tool("test_streaming_elicitation"),
  ],
  "server-stateless:sep-2575-server-no-log-without-loglevel": [tool("test_logging_tool")],
  "server-stateless:sep-2575-server-sends-prompts-list-changed-on-subscription": [
    tool("test_trigger_prompt_change"),
  ],
  "server-stateless:sep-2575-server-sends-tools-list-changed-on-subscription": [
    tool("test_trigger_tool_change"),
  ],
  "tasks-capability-negotiation:sep-2663-server-rejects-undeclared-client": [tool("slow_compute")],
  "tasks-capability-negotiation:tasks-per-request-meta-opt-in": [tool("slow_compute")],
  "tasks-request-headers:tasks-headers-tolerate-mcp-method-on-tools-call": [tool("greet")],
  "tasks-request-headers:sep-2663-routing-headers-accepted-on-tasks-get": [tool("slow_compute")],
  "tasks-request-headers:sep-2663-server-rejects-mismatched-mcp-name-on-tasks-get": [
    tool("slow_compute"),
  ],
  "tasks-dispatch-and-envelope:tasks-server-directed-creation-no-hint": [tool("failing_job")],
  "tasks-dispatch-and-envelope:sep-2663-legacy-task-param-ignored": [tool("greet")],
  "tasks-dispatch-and-envelope:tasks-immediate-result-shortcut": [tool("slow_compute")],
  "tasks-dispatch-and-envelope:tasks-result-type-complete-on-non-task-responses": [tool("greet")],
  "tasks-dispatch-and-envelope:sep-2663-durable-create-strong-consistency": [tool("slow_compute")],
  "caching:sep-2549-prompts-list-caching-hints": [cap("prompts")],
  "caching:sep-2549-resources-list-caching-hints": [cap("resources")],
  "caching:sep-2549-resources-templates-list-caching-hints": [cap("resources")],
  "caching:sep-2549-resources-read-caching-hints": [cap("resources")],
};

// ---------------------------------------------------------------------------------------------

/** Processes this script started, ended before any exit so none outlives the run. */
const children = new Set();
/** The run's scratch folder (servers' state, tokens, raw results), removed on any exit. */
let scratch;

function fail(message) {
  process.stderr.write(`conformance: ${message}\n`);
  for (const child of children) child.kill("SIGKILL");
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  process.exit(2);
}

const { values: opts } = parseArgs({
  options: {
    generation: { type: "string", multiple: true },
    setup: { type: "string", multiple: true },
    url: { type: "string" },
    token: { type: "string" },
    json: { type: "string" },
    keep: { type: "string" },
    verbose: { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  },
});
if (opts.help) {
  const head = readFileSync(fileURLToPath(import.meta.url), "utf8").split("*/")[0];
  process.stdout.write(`${head.replace(/^#!.*\n\/\*\*\n/, "").replace(/^ \* ?/gm, "")}\n`);
  process.exit(0);
}
const generations = opts.generation ?? GENERATIONS;
for (const g of generations) if (!GENERATIONS.includes(g)) fail(`unknown generation ${g}`);
const setups = opts.url ? ["external"] : (opts.setup ?? SETUPS);
for (const s of setups) if (s !== "external" && !SETUPS.includes(s)) fail(`unknown setup ${s}`);
if (!opts.url && !existsSync(join(ROOT, "dist/cli.js"))) fail("dist/cli.js missing: npm run build");

// The suite's CLI, run with the Node 20 shim (see scripts/conformance/node20-fs-hook.mjs).
const require = createRequire(import.meta.url);
const SUITE_PKG = require.resolve("@modelcontextprotocol/conformance/package.json");
const SUITE_CLI = join(dirname(SUITE_PKG), "dist/index.js");
const SUITE_VERSION = JSON.parse(readFileSync(SUITE_PKG, "utf8")).version;
const SUITE_NODE_ARGS = ["--import", join(ROOT, "scripts/conformance/node20-fs-hook.mjs")];

/**
 * Runs the suite's CLI to completion. Asynchronous on purpose: the hosted setup's proxy lives
 * in this process, and a blocking spawnSync would stall it and with it every suite request.
 */
function suite(args, timeout = 120_000) {
  return new Promise((res) => {
    const child = spawn(process.execPath, [...SUITE_NODE_ARGS, SUITE_CLI, ...args], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.add(child);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => {
      stdout += c;
    });
    child.stderr.on("data", (c) => {
      stderr += c;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeout);
    child.once("error", (error) => res({ status: null, stdout, stderr, error }));
    child.once("close", (status, signal) => {
      clearTimeout(timer);
      children.delete(child);
      const error = signal ? new Error(`killed by ${signal} after ${timeout} ms`) : undefined;
      res({ status, stdout, stderr, error });
    });
  });
}

/** Every server scenario the suite knows, with the revisions it is tagged for. */
async function listScenarios() {
  const r = await suite(["list", "--server"]);
  if (r.status !== 0) fail(`conformance list failed: ${r.stderr || r.stdout}`);
  const scenarios = new Map();
  for (const m of r.stdout.matchAll(/^\s+- (\S+) \[([^\]]*)\]/gm)) {
    scenarios.set(
      m[1],
      m[2].split(",").map((t) => t.trim()),
    );
  }
  if (scenarios.size === 0) fail(`no server scenarios in: ${r.stdout}`);
  return scenarios;
}

/**
 * The revision's frozen server scenarios: "required", or why it is run but not scored
 * ("extension", "pending", "added-after-release").
 */
async function requirementSet(generation) {
  const r = await suite(["list", "--requirements", generation]);
  if (r.status !== 0) fail(`conformance list --requirements failed: ${r.stderr || r.stdout}`);
  const set = new Map();
  const server = /Server scenarios[^\n]*\n((?:\s+- \S+\n)+)/.exec(r.stdout);
  for (const m of (server?.[1] ?? "").matchAll(/- (\S+)/g)) set.set(m[1], "required");
  let reason = "";
  for (const line of r.stdout.split("\n")) {
    const heading = /^\s+([a-z-]+) \(\d+\):$/.exec(line);
    if (heading) reason = heading[1];
    const entry = /^\s+- (\S+) \[server\]$/.exec(line);
    if (entry && reason) set.set(entry[1], `not scored: ${reason}`);
  }
  if (set.size === 0) fail(`no server scenarios required for ${generation}: ${r.stdout}`);
  return set;
}

// ---------------------------------------------------------------------------------------------
// Starting the server under test.

function startServer(setup, work) {
  mkdirSync(work, { recursive: true });
  const env = { PATH: process.env.PATH ?? "", HOME: work };
  const args = ["dist/cli.js", "--demo", "--http", "--host", "127.0.0.1", "--port", "0"];
  args.push("--state-dir", join(work, "state"), "--log-level", "warn");
  let token;
  if (setup !== "local") {
    const tokensFile = join(work, "tokens.json");
    const made = spawnSync(
      process.execPath,
      ["dist/cli.js", "token", "create", "--name", "conformance", "--tokens-file", tokensFile],
      { cwd: ROOT, env, encoding: "utf8", timeout: 15_000 },
    );
    if (made.status !== 0) fail(`token create failed: ${made.stderr}`);
    token = made.stdout.trim();
    // The suite sends its scenarios back to back (hundreds of requests in a second or two),
    // far over the default per-token limit; the limiter is tested elsewhere, and a 429 here
    // would fail scenarios for a reason that has nothing to do with the protocol.
    args.push("--tokens-file", tokensFile, "--rate-limit", "0");
  }
  if (setup === "stateless") args.push("--stateless");
  const child = spawn(process.execPath, args, { cwd: ROOT, env });
  children.add(child);
  child.once("exit", () => children.delete(child));
  let stderr = "";
  const exited = new Promise((res) => child.once("exit", res));
  const url = new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`no "listening on" line: ${stderr}`)), 20_000);
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
      const m = /listening on (http:\/\/\S+\/mcp)/.exec(stderr);
      if (m) {
        clearTimeout(timer);
        res(m[1]);
      }
    });
    void exited.then((code) => rej(new Error(`server exited ${code}: ${stderr}`)));
  });
  return {
    url,
    token,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      const t = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(t);
    },
  };
}

/**
 * A loopback proxy that adds `Authorization: Bearer TOKEN` to every request and otherwise
 * passes requests and responses through as they are, streaming both ways (SSE included).
 * Host and Origin are forwarded untouched so the DNS-rebinding scenario still reaches the
 * server's own checks.
 */
async function startAuthProxy(target, token) {
  const upstream = new URL(target);
  const server = http.createServer((req, res) => {
    const headers = { ...req.headers, authorization: `Bearer ${token}` };
    const out = http.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.rawHeaders);
        answer.pipe(res);
        res.on("close", () => answer.destroy());
      },
    );
    out.on("error", () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.on("aborted", () => out.destroy());
    req.pipe(out);
  });
  await new Promise((res) => server.listen(0, "127.0.0.1", res));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}${upstream.pathname}`,
    stop: () =>
      new Promise((res) => {
        server.closeAllConnections();
        server.close(() => res());
      }),
  };
}

// ---------------------------------------------------------------------------------------------
// Asking the server what it offers, on the generation's own wire.

async function rpc(url, token, body, headers = {}) {
  const res = await fetch(url, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      Accept: "application/json, text/event-stream",
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  let message;
  if ((res.headers.get("content-type") ?? "").includes("text/event-stream")) {
    for (const line of text.split(/\r?\n/)) {
      if (!line.startsWith("data:")) continue;
      try {
        const m = JSON.parse(line.slice(5));
        if (m.id === body.id) message = m;
      } catch {}
    }
  } else if (text) {
    try {
      message = JSON.parse(text);
    } catch {}
  }
  return { res, message };
}

const CLIENT_INFO = { name: "rivya-conformance-probe", version: "1.0.0" };

async function probe(url, token, generation) {
  if (generation === "2025-11-25") {
    const init = await rpc(url, token, {
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: generation, capabilities: {}, clientInfo: CLIENT_INFO },
    });
    const capabilities = init.message?.result?.capabilities;
    if (!capabilities) return { error: `initialize: ${JSON.stringify(init.message)}` };
    const session = init.res.headers.get("mcp-session-id");
    const headers = {
      "mcp-protocol-version": generation,
      ...(session ? { "mcp-session-id": session } : {}),
    };
    await rpc(url, token, { jsonrpc: "2.0", method: "notifications/initialized" }, headers);
    const list = await rpc(url, token, { jsonrpc: "2.0", id: 2, method: "tools/list" }, headers);
    if (session) {
      await fetch(url, {
        method: "DELETE",
        headers: { ...headers, ...(token ? { Authorization: `Bearer ${token}` } : {}) },
      }).catch(() => {});
    }
    return described(capabilities, list.message?.result?.tools);
  }
  // 2026-07-28: no handshake; every request names its version and client in _meta.
  const meta = {
    "io.modelcontextprotocol/protocolVersion": generation,
    "io.modelcontextprotocol/clientInfo": CLIENT_INFO,
    "io.modelcontextprotocol/clientCapabilities": {},
  };
  const call = (id, method) =>
    rpc(
      url,
      token,
      { jsonrpc: "2.0", id, method, params: { _meta: meta } },
      { "MCP-Protocol-Version": generation, "Mcp-Method": method },
    );
  const discover = await call(1, "server/discover");
  const capabilities = discover.message?.result?.capabilities;
  if (!capabilities) return { error: `server/discover: ${JSON.stringify(discover.message)}` };
  const list = await call(2, "tools/list");
  return described(capabilities, list.message?.result?.tools);
}

/** What the server offers: capabilities, tool names, and every keyword its tool schemas use. */
function described(capabilities, tools = []) {
  const schemaKeys = new Set();
  const walk = (node) => {
    if (node === null || typeof node !== "object") return;
    for (const [key, value] of Object.entries(node)) {
      schemaKeys.add(key);
      walk(value);
    }
  };
  for (const t of tools) walk(t.inputSchema);
  return { capabilities, tools: tools.map((t) => t.name), schemaKeys };
}

/** The first need the server does not meet, as a reason, or undefined when all are met. */
function unmet(needs, offer) {
  for (const need of needs ?? []) {
    if (need.never) return need.never;
    if (need.capability && !offer.capabilities?.[need.capability])
      return `no ${need.capability} capability is offered`;
    if (need.extension && !offer.capabilities?.extensions?.[need.extension])
      return `the ${need.extension} extension is not offered`;
    if (need.tool && !offer.tools?.includes(need.tool))
      return `needs the reference server's fixture tool ${need.tool}`;
    if (need.schemaKey && !offer.schemaKeys?.has(need.schemaKey))
      return `no tool's input schema uses ${need.schemaKey}`;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Running the suite and scoring it.

async function runGeneration(url, generation, outDir) {
  const r = await suite(
    ["server", "--url", url, "--requirements", generation, "-o", outDir, "--timeout", "20000"],
    300_000,
  );
  // The suite exits 1 whenever anything fails, applicable or not: scoring is done below.
  if (r.error) fail(`the suite did not run: ${r.error.message}`);
  const checks = new Map();
  if (!existsSync(outDir)) return { checks, output: r.stdout + r.stderr };
  for (const dir of readdirSync(outDir)) {
    const m = /^server-(.+)-\d{4}-\d{2}-\d{2}T[\d-]+Z$/.exec(dir);
    const file = join(outDir, dir, "checks.json");
    if (m && existsSync(file)) checks.set(m[1], JSON.parse(readFileSync(file, "utf8")));
  }
  return { checks, output: r.stdout + r.stderr };
}

const short = (s, n = 200) => {
  const one = String(s ?? "").replace(/\s+/g, " ");
  return one.length > n ? `${one.slice(0, n - 1)}…` : one;
};

function score(scenario, checks, offer, known) {
  const reason = unmet(NEEDS[scenario], offer);
  const failures = [];
  const warnings = [];
  const skippedChecks = [];
  let passed = 0;
  for (const c of checks ?? []) {
    const checkReason = unmet(CHECK_NEEDS[`${scenario}:${c.id}`], offer);
    if (checkReason) {
      if (c.status === "FAILURE" || c.status === "SUCCESS")
        skippedChecks.push(`${c.id} (${checkReason})`);
      continue;
    }
    if (c.status === "FAILURE") failures.push({ id: c.id, message: short(c.errorMessage, 600) });
    else if (c.status === "WARNING")
      warnings.push({ id: c.id, message: short(c.errorMessage ?? c.details?.message) });
    else if (c.status === "SUCCESS") passed++;
  }
  const row = { scenario, known, passed, failures, warnings, checksNotApplicable: skippedChecks };
  if (reason) {
    // Even where a scenario does not apply, what the server sent back (an "unknown tool" or
    // "method not found" error) must still be valid on the wire.
    const wire = failures.filter((f) => f.id === "wire-schema-valid");
    if (wire.length > 0) {
      const why = `wire-schema-valid (the scenario itself does not apply: ${reason})`;
      return { ...row, result: "fail", reason: why, failures: wire };
    }
    return { ...row, result: "n/a", reason, failures: [], warnings: [] };
  }
  if (checks === undefined)
    return { ...row, result: "fail", reason: "the suite produced no result for it" };
  if (failures.length > 0) return { ...row, result: "fail", reason: failures[0].id };
  if (passed === 0) {
    // The suite itself found nothing to test here (e.g. session scenarios against a server
    // that issues no session ids) and said so in an INFO or WARNING check instead.
    const said = (checks ?? []).find((c) => c.status !== "SUCCESS" && c.status !== "FAILURE");
    const message = said?.errorMessage ?? said?.details?.message;
    if (message)
      return { ...row, result: "n/a", reason: `suite tested nothing: ${short(message)}` };
    return { ...row, result: "fail", reason: "no check passed" };
  }
  return { ...row, result: "pass", reason: known ? "" : "unclassified: review its needs" };
}

// ---------------------------------------------------------------------------------------------

const catalogue = await listScenarios();
const rows = [];
/** Each generation's requirement set, listed once for all setups. */
const requirementSets = {};
const work = mkdtempSync(join(tmpdir(), "rivya-conformance-"));
scratch = work;
let exitCode = 0;
try {
  for (const setup of setups) {
    const server = setup === "external" ? undefined : startServer(setup, join(work, setup));
    let proxy;
    try {
      const direct = server ? await server.url : opts.url;
      const token = server ? server.token : opts.token;
      proxy = token ? await startAuthProxy(direct, token) : undefined;
      const url = proxy ? proxy.url : direct;
      const fallback = {};
      let offerSeen;
      for (const generation of generations) {
        let offer = await probe(url, undefined, generation).catch((e) => ({ error: String(e) }));
        if (offer.error) {
          // The generation's own handshake failed; scenarios are still run (and will fail),
          // judged by what the server offers on the other generation.
          process.stderr.write(`probe ${setup} ${generation} failed: ${short(offer.error)}\n`);
          offer = fallback.offer ?? described({}, []);
        } else fallback.offer ??= offer;
        const outDir = join(opts.keep ? resolve(opts.keep) : work, setup, generation);
        const { checks, output } = await runGeneration(url, generation, outDir);
        if (checks.size === 0) {
          process.stderr.write(output);
          fail(`no results from the suite for ${setup} ${generation}`);
        }
        // What the revision requires (scored or not) plus whatever else the suite tags for it.
        requirementSets[generation] ??= await requirementSet(generation);
        const scoring = requirementSets[generation];
        const names = new Set([...checks.keys(), ...scoring.keys()]);
        for (const [name, tags] of catalogue) if (tags.includes(generation)) names.add(name);
        for (const name of [...names].sort(byCatalogue)) {
          const scored = scoring.get(name) ?? "not in the requirement set";
          rows.push({ ...judge(name, checks.get(name), offer), generation, setup, scored });
        }
        offerSeen = offer;
      }
      // Extension scenarios neither requirement set runs (skills): listed, judged, not run.
      const listed = new Set(rows.filter((r) => r.setup === setup).map((r) => r.scenario));
      for (const [name, tags] of catalogue) {
        if (!tags.includes("extension") || listed.has(name)) continue;
        const row = judge(name, undefined, offerSeen ?? {});
        rows.push({ ...row, generation: "extension", setup, scored: "extension" });
      }
    } finally {
      await proxy?.stop();
      await server?.stop();
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

/** A scenario that did not run and does not apply is n/a, not a failure for lack of results. */
function judge(name, ran, offer) {
  const known = name in NEEDS;
  const reason = known ? unmet(NEEDS[name], offer) : undefined;
  if (!ran && reason) {
    return {
      scenario: name,
      known,
      result: "n/a",
      reason,
      passed: 0,
      failures: [],
      warnings: [],
      checksNotApplicable: [],
    };
  }
  return score(name, ran, offer, known);
}

function byCatalogue(a, b) {
  const order = [...catalogue.keys()];
  return order.indexOf(a) - order.indexOf(b);
}

const table = rows;

// One line per scenario and generation, one result column per setup.
const lines = new Map();
for (const r of table) {
  const key = `${r.generation}|${r.scenario}`;
  const line = lines.get(key) ?? { scenario: r.scenario, generation: r.generation, by: {} };
  line.by[r.setup] = r;
  lines.set(key, line);
}
const cols = setups;
const header = ["scenario", "generation", "suite scoring", ...cols, "why / first failing check"];
const body = [...lines.values()].map((l) => {
  const cells = cols.map((s) => {
    const r = l.by[s];
    if (!r) return "-";
    const w = r.result === "pass" && r.warnings.length > 0 ? ` (${r.warnings.length} warn)` : "";
    return `${r.result}${w}`;
  });
  const reasons = [...new Set(cols.map((s) => l.by[s]?.reason).filter(Boolean))];
  const scored = l.by[cols[0]]?.scored ?? "";
  return [l.scenario, l.generation, scored, ...cells, reasons.join("; ")];
});
const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
const fmt = (cells) =>
  cells
    .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i])))
    .join("  ")
    .trimEnd();
process.stdout.write(`MCP conformance suite ${SUITE_VERSION}, server scenarios\n\n`);
process.stdout.write(`${fmt(header)}\n${fmt(widths.map((w) => "-".repeat(w)))}\n`);
for (const b of body) process.stdout.write(`${fmt(b)}\n`);

const failed = table.filter((r) => r.result === "fail");
const counts = (s) => {
  const mine = table.filter((r) => r.setup === s);
  const n = (k) => mine.filter((r) => r.result === k).length;
  return `${s}: ${n("pass")} pass, ${n("fail")} fail, ${n("n/a")} n/a`;
};
process.stdout.write(`\n${cols.map(counts).join(" | ")}\n`);
if (failed.length > 0) {
  exitCode = 1;
  process.stdout.write("\nFailures:\n");
  for (const r of failed) {
    const list = opts.verbose ? r.failures : r.failures.slice(0, 3);
    process.stdout.write(`  ${r.scenario} [${r.generation}, ${r.setup}]\n`);
    for (const f of list) process.stdout.write(`    ${f.id}: ${f.message}\n`);
    if (list.length < r.failures.length)
      process.stdout.write(`    … ${r.failures.length - list.length} more (--verbose)\n`);
    if (r.failures.length === 0) process.stdout.write(`    ${r.reason}\n`);
  }
}
if (opts.verbose) {
  for (const r of table.filter((x) => x.warnings.length > 0 || x.checksNotApplicable.length > 0)) {
    process.stdout.write(`  ${r.scenario} [${r.generation}, ${r.setup}]\n`);
    for (const w of r.warnings) process.stdout.write(`    warning ${w.id}: ${w.message}\n`);
    for (const c of r.checksNotApplicable) process.stdout.write(`    check n/a: ${c}\n`);
  }
}
if (opts.json) {
  const doc = { suite: SUITE_VERSION, generations, setups, rows: table };
  writeFileSync(opts.json, `${JSON.stringify(doc, null, 2)}\n`);
}
process.exit(exitCode);
