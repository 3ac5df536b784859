/**
 * The bundled server answers a host's stdio opening before the SDK has loaded
 * (transports/early-answers.ts), then hands every message to the SDK. Seen from the host:
 * each request is answered once, the SDK's own answers agree (no warning), and what follows
 * the opening is served by the SDK as usual. Needs a built dist/.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rawStdioCli } from "../helpers/spawned.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "rivya-early-e2e-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/**
 * Writes all messages at once, straight after spawn (as a host does before the process has
 * loaded), and collects every line the server writes until `expected` answers came.
 */
async function exchange(messages: object[], expected: number) {
  const cli = rawStdioCli(["--log-level", "debug"], {
    HOME: dir,
    RIVYA_API_KEY: "rvya_sk_e2e_early_value_123456",
    RIVYA_BASE_URL: "http://127.0.0.1:9",
    RIVYA_MCP_STATE_DIR: join(dir, "state"),
  });
  for (const m of messages) cli.send(m);
  try {
    await cli.linesWritten(expected);
    // Anything written twice would follow shortly: give it the time to show.
    await new Promise((r) => setTimeout(r, 300));
    return { answers: [...cli.lines], stderr: cli.stderr() };
  } finally {
    await cli.kill();
  }
}

const clientInfo = { name: "e2e-host", version: "1.0.0" };
const meta = {
  "io.modelcontextprotocol/protocolVersion": "2026-07-28",
  "io.modelcontextprotocol/clientInfo": clientInfo,
  "io.modelcontextprotocol/clientCapabilities": {},
};

describe("stdio opening answered early", () => {
  it.each([
    [
      "2025-11-25",
      [
        {
          jsonrpc: "2.0",
          id: 1,
          method: "initialize",
          params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo },
        },
        { jsonrpc: "2.0", method: "notifications/initialized" },
        { jsonrpc: "2.0", id: 2, method: "tools/list", params: {} },
        {
          jsonrpc: "2.0",
          id: 3,
          method: "tools/call",
          params: { name: "get_task", arguments: {} },
        },
      ],
    ],
    [
      "2026-07-28",
      [
        { jsonrpc: "2.0", id: 1, method: "server/discover", params: { _meta: meta } },
        { jsonrpc: "2.0", id: 2, method: "tools/list", params: { _meta: meta } },
        {
          jsonrpc: "2.0",
          id: 3,
          method: "tools/call",
          params: { name: "get_task", arguments: {}, _meta: meta },
        },
      ],
    ],
  ])(
    "%s: each request answered once, the SDK agreeing, then the SDK serving",
    async (_era, messages) => {
      const { answers, stderr } = await exchange(messages, 3);
      expect(answers.map((a) => a.id)).toEqual([1, 2, 3]);
      expect(answers.every((a) => a.error === undefined)).toBe(true);
      expect(answers[1]?.result?.tools).toHaveLength(4);
      // The tool call went to the SDK server, which knew the opening it was handed.
      expect(JSON.stringify(answers[2]?.result?.structuredContent)).toContain("recent_tasks");
      expect(stderr).toMatch(/"msg":"answered before the SDK loaded","requests":2/);
      expect(stderr).not.toContain("differed from the SDK");
    },
  );
});
