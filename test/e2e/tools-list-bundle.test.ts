/**
 * The build embeds the shipped tools' JSON Schemas (scripts/build.mjs, src/mcp/publish.ts),
 * so the bundled server converts nothing at start. What it publishes must be exactly what
 * the source derives. Needs a built dist/ (npm run test:e2e builds first).
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_FACTS, describeTools } from "../../src/mcp/publish.js";
import { TOOLS } from "../../src/tools/index.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "rivya-tools-bundle-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** tools/list from dist/cli.js over raw stdio, as the server wrote it. */
function bundledToolsList(): Promise<
  { name: string; inputSchema: unknown; outputSchema: unknown }[]
> {
  const child = spawn(process.execPath, ["dist/cli.js"], {
    env: {
      PATH: process.env.PATH ?? "",
      HOME: dir,
      RIVYA_API_KEY: "rvya_sk_e2e_tools_value_123456",
      RIVYA_BASE_URL: "http://127.0.0.1:9",
      RIVYA_MCP_STATE_DIR: join(dir, "state"),
    },
    stdio: ["pipe", "pipe", "ignore"],
  });
  const send = (m: unknown) => child.stdin.write(`${JSON.stringify(m)}\n`);
  return new Promise((resolve, reject) => {
    let buf = "";
    child.once("exit", () => reject(new Error("server exited before answering")));
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      buf += chunk;
      for (let nl = buf.indexOf("\n"); nl >= 0; nl = buf.indexOf("\n")) {
        const msg = JSON.parse(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
        if (msg.id === 1) {
          send({ jsonrpc: "2.0", method: "notifications/initialized" });
          send({ jsonrpc: "2.0", id: 2, method: "tools/list", params: {} });
        } else if (msg.id === 2) {
          child.removeAllListeners("exit");
          child.kill("SIGKILL");
          resolve(msg.result.tools);
        }
      }
    });
    send({
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: {
        protocolVersion: "2025-11-25",
        capabilities: {},
        clientInfo: { name: "e2e", version: "1.0.0" },
      },
    });
  });
}

describe("tools/list of the bundled server", () => {
  it("publishes the JSON Schemas the source derives, tool by tool", async () => {
    const bundled = await bundledToolsList();
    const source = describeTools(TOOLS, DEFAULT_FACTS);
    expect(bundled.map((t) => t.name)).toEqual(source.map((t) => t.name));
    for (const [i, t] of source.entries()) {
      expect(bundled[i]?.inputSchema, t.name).toEqual(t.inputSchema);
      expect(bundled[i]?.outputSchema, t.name).toEqual(t.outputSchema);
    }
  });
});
