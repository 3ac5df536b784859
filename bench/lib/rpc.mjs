/**
 * A deliberately thin MCP client over a child's stdio: newline-delimited JSON-RPC, no
 * schema validation, no SDK. Keeping the client cheap means the measured time is mostly
 * the server's, so server-side differences are not diluted by client overhead.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";

export const PROTOCOL_VERSION = "2025-11-25";
export const MODERN_VERSION = "2026-07-28";

/** The `_meta` envelope every 2026-07-28 request carries in place of an initialize handshake. */
export const MODERN_META = {
  "io.modelcontextprotocol/protocolVersion": MODERN_VERSION,
  "io.modelcontextprotocol/clientInfo": { name: "rivya-bench", version: "1.0.0" },
  "io.modelcontextprotocol/clientCapabilities": {},
};

export function spawnRpc({ command = process.execPath, args, env, cwd }) {
  const child = spawn(command, args, { env, cwd, stdio: ["pipe", "pipe", "pipe"] });
  const pending = new Map();
  let nextId = 1;
  let buffer = "";
  let stderr = "";
  let exited = false;
  const exit = once(child, "exit").then(() => {
    exited = true;
  });

  const failAll = (why) => {
    for (const { reject } of pending.values()) reject(new Error(`${why}\n${stderr.slice(-2000)}`));
    pending.clear();
  };
  child.on("exit", (code, signal) => failAll(`server exited (${code ?? signal})`));
  child.on("error", (err) => failAll(`spawn failed: ${err.message}`));
  child.stdin.on("error", () => {}); // EPIPE after a kill is expected
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (chunk) => {
    stderr = (stderr + chunk).slice(-20_000);
  });
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (chunk) => {
    buffer += chunk;
    let nl = buffer.indexOf("\n");
    while (nl >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      nl = buffer.indexOf("\n");
      if (!line.trim()) continue;
      const msg = JSON.parse(line);
      if (msg.id === undefined || msg.method !== undefined) continue; // notifications, requests
      const p = pending.get(msg.id);
      if (!p) continue;
      pending.delete(msg.id);
      if (msg.error) p.reject(new Error(`${msg.error.code}: ${msg.error.message}`));
      else p.resolve(msg.result);
    }
  });

  const send = (msg) => child.stdin.write(`${JSON.stringify(msg)}\n`);

  const rpc = {
    child,
    pid: child.pid,
    stderr: () => stderr,
    request(method, params) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        send({ jsonrpc: "2.0", id, method, params });
      });
    },
    notify(method, params) {
      send({ jsonrpc: "2.0", method, ...(params ? { params } : {}) });
    },
    initialize() {
      return rpc.request("initialize", {
        protocolVersion: PROTOCOL_VERSION,
        capabilities: {},
        clientInfo: { name: "rivya-bench", version: "1.0.0" },
      });
    },
    /** initialize + initialized, ready for calls. */
    async open() {
      const result = await rpc.initialize();
      rpc.notify("notifications/initialized");
      return result;
    },
    /**
     * Resolves once rivya-mcp logs that it is ready: its SDK and tools loaded, its store open
     * (the opening itself is answered before that).
     */
    async ready(timeoutMs = 10_000) {
      const until = Date.now() + timeoutMs;
      while (!stderr.includes("ready on stdio")) {
        if (exited || Date.now() > until) throw new Error(`server not ready:\n${stderr}`);
        await new Promise((r) => setTimeout(r, 2));
      }
    },
    /** The 2026-07-28 opening: server/discover, with the request envelope. */
    discover() {
      return rpc.request("server/discover", { _meta: MODERN_META });
    },
    /** tools/list in either generation (a 2026 request carries the envelope). */
    listTools(modern = false) {
      return rpc.request("tools/list", modern ? { _meta: MODERN_META } : {});
    },
    /** tools/call; throws when the tool answers isError. */
    async call(name, args = {}) {
      const result = await rpc.request("tools/call", { name, arguments: args });
      if (result.isError) throw new Error(`${name} failed: ${result.content?.[0]?.text}`);
      return result;
    },
    async kill() {
      if (!exited) child.kill("SIGKILL");
      await exit;
    },
    /** Closes stdin (how desktop clients end a stdio server) and waits for the exit. */
    async close() {
      child.stdin.end();
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exit;
      clearTimeout(timer);
    },
  };
  return rpc;
}
