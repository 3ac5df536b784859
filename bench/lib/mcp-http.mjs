/**
 * A lean Streamable HTTP MCP client for load: one undici Pool, JSON-RPC over POST, answers
 * read whole and taken from either a JSON body or the SSE `data:` lines. No validation, so
 * client cost stays small next to the server's.
 */
import { spawn } from "node:child_process";
import { Pool } from "undici";
import { MODERN_META, MODERN_VERSION, PROTOCOL_VERSION } from "./rpc.mjs";

export function httpPool(url, connections = 64) {
  return new Pool(new URL(url).origin, { connections, pipelining: 1 });
}

function parseAnswer(text, contentType) {
  if (contentType?.includes("text/event-stream")) {
    for (const line of text.split("\n")) {
      if (!line.startsWith("data:")) continue;
      const msg = JSON.parse(line.slice(5));
      if (msg.id !== undefined && (msg.result !== undefined || msg.error !== undefined)) return msg;
    }
    return undefined;
  }
  return text.trim() ? JSON.parse(text) : undefined;
}

export class McpHttpSession {
  /**
   * `token`: sent as a bearer token (hosted servers with a tokens file). `stateless`: for a
   * `--stateless` server, where every POST stands alone: no initialize, no session header.
   * `modern`: speak 2026-07-28, where every request stands alone and carries its `_meta`
   * envelope (protocol version, client info, capabilities) instead of a session.
   */
  constructor(url, pool, { token, stateless = false, modern = false } = {}) {
    this.url = url;
    this.path = new URL(url).pathname;
    this.pool = pool;
    this.token = token;
    this.stateless = stateless || modern;
    this.modern = modern;
    this.sessionId = undefined;
    this.nextId = 1;
  }

  async post(message) {
    const headers = {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
    };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (this.sessionId) headers["mcp-session-id"] = this.sessionId;
    if (this.sessionId || this.stateless)
      headers["mcp-protocol-version"] = this.modern ? MODERN_VERSION : PROTOCOL_VERSION;
    // 2026-07-28 repeats the method (and a tool call's name) in headers, for routers.
    if (this.modern && message.method) {
      headers["mcp-method"] = message.method;
      if (typeof message.params?.name === "string") headers["mcp-name"] = message.params.name;
    }
    const res = await this.pool.request({
      path: this.path,
      method: "POST",
      headers,
      body: JSON.stringify(message),
    });
    const text = await res.body.text();
    return { status: res.statusCode, headers: res.headers, text };
  }

  async request(method, params) {
    const id = this.nextId++;
    const withMeta = this.modern
      ? { ...params, _meta: { ...params?._meta, ...MODERN_META } }
      : params;
    const res = await this.post({ jsonrpc: "2.0", id, method, params: withMeta });
    const msg = res.status < 300 ? parseAnswer(res.text, res.headers["content-type"]) : undefined;
    if (!msg) throw new Error(`${method}: HTTP ${res.status} ${res.text.slice(0, 300)}`);
    if (msg.error) throw new Error(`${method}: ${msg.error.message}`);
    return { result: msg.result, headers: res.headers };
  }

  async open() {
    if (this.modern) {
      await this.request("server/discover", {});
      return this;
    }
    const { headers } = await this.request("initialize", {
      protocolVersion: PROTOCOL_VERSION,
      capabilities: {},
      clientInfo: { name: "rivya-bench", version: "1.0.0" },
    });
    this.sessionId = headers["mcp-session-id"];
    if (!this.sessionId) throw new Error("initialize answered without Mcp-Session-Id");
    const res = await this.post({ jsonrpc: "2.0", method: "notifications/initialized" });
    if (res.status >= 300) throw new Error(`initialized: HTTP ${res.status}`);
    return this;
  }

  async call(name, args = {}) {
    const { result } = await this.request("tools/call", { name, arguments: args });
    if (result.isError) throw new Error(`${name} failed: ${result.content?.[0]?.text}`);
    return result;
  }
}

/** Spawns an HTTP server process and waits for its `listening on URL` line on stderr. */
export function spawnHttpServer({ args, env, cwd }) {
  const child = spawn(process.execPath, args, { env, cwd, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  let head = "";
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const url = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no 'listening on' line:\n${stderr}`)), 15_000);
    child.stderr.setEncoding("utf8");
    let listening = false;
    child.stderr.on("data", (chunk) => {
      // Request logs can be plentiful: once listening, keep just the last chunk, cheaply.
      if (listening) {
        stderr = chunk;
        return;
      }
      stderr = (stderr + chunk).slice(-8000);
      head = stderr;
      const m = /listening on (http:\/\/\S+)/.exec(stderr);
      if (m) {
        listening = true;
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}) before listening:\n${stderr}`));
    });
  });
  return {
    child,
    pid: child.pid,
    url,
    /** The first 8000 characters of stderr (start-up lines such as the inspector's). */
    head: () => head,
    stderr: () => stderr,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
    },
  };
}
