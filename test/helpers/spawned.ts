/** Drives the built CLI (dist/cli.js) over real stdio, as a desktop assistant would. */
import { type ChildProcess, spawn } from "node:child_process";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";

export interface Spawned {
  client: Client;
  transport: StdioClientTransport;
  stderr: () => string;
  protocolErrors: Error[];
  call(name: string, args?: Record<string, unknown>): Promise<CallToolResult>;
  close(): Promise<void>;
}

export async function spawnCli(args: string[], env: Record<string, string>): Promise<Spawned> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: ["dist/cli.js", ...args],
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...env },
    stderr: "pipe",
  });
  let stderr = "";
  transport.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const protocolErrors: Error[] = [];
  const client = new Client({ name: "e2e", version: "1.0.0" });
  client.onerror = (err) => protocolErrors.push(err);
  await client.connect(transport);
  return {
    client,
    transport,
    stderr: () => stderr,
    protocolErrors,
    call: (name, a = {}) => client.callTool({ name, arguments: a }) as Promise<CallToolResult>,
    close: () => client.close(),
  };
}

export interface RunningCli {
  child: ChildProcess;
  url: string;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** The built CLI in hosted mode on a free port, once it says where it listens. */
export async function startHttpCli(
  args: string[],
  env: Record<string, string>,
): Promise<RunningCli> {
  const child = spawn(process.execPath, ["dist/cli.js", "--http", "--port", "0", ...args], {
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...env },
  });
  let stderr = "";
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      const m = /listening on (http:\/\/\S+\/mcp)/.exec(stderr);
      if (m?.[1]) resolve(m[1]);
    });
    void exited.then((code) => reject(new Error(`exited ${code}: ${stderr}`)));
  });
  return { child, url, stderr: () => stderr, exited };
}

/** One JSON-RPC message as read off the wire, unchecked. */
export type RawMessage = {
  id?: unknown;
  method?: string;
  result?: any;
  error?: any;
  params?: any;
};

/**
 * dist/cli.js over raw stdio lines, for what an SDK client hides: the exact messages written,
 * requests from the server (`answer` replies to each), answers written before anything else.
 * Every line the server writes is kept in `lines`, in order.
 */
export function rawStdioCli(
  args: string[],
  env: Record<string, string>,
  answer?: (req: RawMessage) => unknown,
) {
  const child = spawn(process.execPath, ["dist/cli.js", ...args], {
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  const lines: RawMessage[] = [];
  const waiting = new Map<unknown, (m: RawMessage) => void>();
  let stderr = "";
  let buf = "";
  const send = (m: unknown) => child.stdin.write(`${JSON.stringify(m)}\n`);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (chunk: string) => {
    buf += chunk;
    for (let nl = buf.indexOf("\n"); nl >= 0; nl = buf.indexOf("\n")) {
      const msg = JSON.parse(buf.slice(0, nl)) as RawMessage;
      buf = buf.slice(nl + 1);
      lines.push(msg);
      if (msg.method && msg.id !== undefined && answer)
        send({ jsonrpc: "2.0", id: msg.id, result: answer(msg) });
      else if (msg.id !== undefined && !msg.method) waiting.get(msg.id)?.(msg);
    }
  });
  let next = 1;
  return {
    lines,
    stderr: () => stderr,
    send,
    /** Sends a request and resolves with its answer; rejects if the server exits first. */
    request(method: string, params: unknown): Promise<RawMessage> {
      const id = next++;
      return new Promise((resolve, reject) => {
        waiting.set(id, resolve);
        void exited.then(() => reject(new Error(`server exited before answering:\n${stderr}`)));
        send({ jsonrpc: "2.0", id, method, params });
      });
    },
    /** Resolves once the server has written `count` lines; rejects if it exits first. */
    async linesWritten(count: number): Promise<void> {
      while (lines.length < count) {
        if (child.exitCode !== null) throw new Error(`server exited early:\n${stderr}`);
        await new Promise((r) => setTimeout(r, 5));
      }
    },
    async kill(): Promise<void> {
      child.kill("SIGKILL");
      await exited;
    },
  };
}
