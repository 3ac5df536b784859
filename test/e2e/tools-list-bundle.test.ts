/**
 * The build embeds the shipped tools' JSON Schemas (scripts/build.mjs, src/mcp/publish.ts),
 * so the bundled server converts nothing at start. What it publishes must be exactly what
 * the source derives. Needs a built dist/ (npm run test:e2e builds first).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_FACTS, describeTools } from "../../src/mcp/publish.js";
import { TOOLS } from "../../src/tools/index.js";
import { rawStdioCli } from "../helpers/spawned.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "rivya-tools-bundle-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** tools/list from dist/cli.js over raw stdio, as the server wrote it. */
async function bundledToolsList(): Promise<
  { name: string; inputSchema: unknown; outputSchema: unknown }[]
> {
  const cli = rawStdioCli([], {
    HOME: dir,
    RIVYA_API_KEY: "rvya_sk_e2e_tools_value_123456",
    RIVYA_BASE_URL: "http://127.0.0.1:9",
    RIVYA_MCP_STATE_DIR: join(dir, "state"),
  });
  try {
    await cli.request("initialize", {
      protocolVersion: "2025-11-25",
      capabilities: {},
      clientInfo: { name: "e2e", version: "1.0.0" },
    });
    cli.send({ jsonrpc: "2.0", method: "notifications/initialized" });
    return (await cli.request("tools/list", {})).result.tools;
  } finally {
    await cli.kill();
  }
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
