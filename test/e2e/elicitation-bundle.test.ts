/**
 * The bundle aliases the SDK's `_shims` so Ajv loads on first use (scripts/sdk-shims.mjs).
 * The SDK still checks an accepted elicitation answer against the schema it asked with; this
 * drives the built CLI over raw stdio (no client SDK, which would check the answer itself
 * before sending it) and sends one answer that breaks the schema and one that keeps it.
 * Needs a built dist/ (npm run test:e2e builds first).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Simulator, startSimulator } from "../../src/providers/rivya/simulator/index.js";
import { type RawMessage, rawStdioCli } from "../helpers/spawned.js";

const KEY = "rvya_sk_e2e_elicit_value_123456";
let sim: Simulator;
let dir: string;

beforeAll(async () => {
  sim = await startSimulator({ queuedMs: 50, processingMs: 100 });
  dir = await mkdtemp(join(tmpdir(), "rivya-elicit-"));
});
afterAll(async () => {
  await sim.close();
  await rm(dir, { recursive: true, force: true });
});

function driver(answer: (req: RawMessage) => unknown) {
  return rawStdioCli(
    [],
    {
      HOME: dir,
      RIVYA_API_KEY: KEY,
      RIVYA_BASE_URL: sim.url,
      RIVYA_MCP_STATE_DIR: join(dir, "state"),
      RIVYA_MCP_CONFIRM_ABOVE: "1",
    },
    answer,
  );
}

async function generateWith(answer: (req: RawMessage) => unknown) {
  const d = driver(answer);
  try {
    await d.request("initialize", {
      protocolVersion: "2025-11-25",
      capabilities: { elicitation: { form: {} } },
      clientInfo: { name: "e2e", version: "1.0.0" },
    });
    d.send({ jsonrpc: "2.0", method: "notifications/initialized" });
    const r = await d.request("tools/call", {
      name: "generate_video",
      arguments: { model: "kling-3-0", prompt: "A kite over dunes", client_request_id: "e-1" },
    });
    return r.result as { isError?: boolean; content: { text: string }[] };
  } finally {
    await d.kill();
  }
}

describe("elicitation answers in the bundled server", () => {
  it("an accepted answer that breaks the requested schema is refused and spends nothing", async () => {
    let asked = 0;
    const r = await generateWith(() => {
      asked += 1;
      return { action: "accept", content: { approve: "yes" } };
    });
    // The person was asked (a client that cannot ask gets the same text below without it).
    expect(asked).toBe(1);
    expect(r.isError).toBe(true);
    // The SDK's check throws, so the server treats the client as one that cannot ask (and
    // says how to confirm); an answer that got through unchecked would read as a decline.
    expect(r.content[0]?.text).toContain("call again with confirm: true");
    expect(sim.balance(KEY)).toBe(1000);
  });

  it("an answer that keeps the schema goes through", async () => {
    let asked: any;
    const r = await generateWith((req) => {
      asked = req.params.requestedSchema;
      return { action: "accept", content: { approve: true } };
    });
    expect(asked.required).toEqual(["approve"]);
    expect(r.isError, r.content[0]?.text).toBeFalsy();
    // Kling 3.0 at its default 5 s: 90 credits, charged once.
    expect(sim.balance(KEY)).toBe(1000 - 90);
  });
});
