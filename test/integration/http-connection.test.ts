/**
 * Finding 15: an answer given before any body arrived must keep the socket reusable (the
 * oversized-body half of connection handling needs a separate process: http-process.test.ts).
 */
import { Agent } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HttpHarness, INIT, rawRequest, startHttpHarness } from "../helpers/http-harness.js";

let stateless: HttpHarness;
beforeAll(async () => {
  stateless = await startHttpHarness({ people: [{ name: "alice" }], http: { stateless: true } });
});
afterAll(() => stateless.close());

const json = { "content-type": "application/json", accept: "application/json, text/event-stream" };

describe("finding 15: --stateless keeps a socket answered at once reusable", () => {
  it("405, 401 and 404 without a body, then POSTs, all on one kept-alive socket", async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const auth = { authorization: `Bearer ${stateless.tokens.alice}` };
    const send = (method: string, headers: Record<string, string>, body?: string, path?: string) =>
      rawRequest(stateless.url, method, headers, body, { agent, ...(path ? { path } : {}) });
    const list = JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list" });
    const answers = [];
    // The order Claude Code uses: probe the GET stream (405), then initialize and list.
    answers.push(await send("GET", { ...auth, accept: "text/event-stream" }));
    answers.push(await send("POST", { ...json, ...auth }, INIT));
    answers.push(await send("GET", {}, undefined, "/nowhere"));
    answers.push(await send("POST", json, INIT));
    answers.push(await send("POST", { ...json, ...auth }, list));
    agent.destroy();
    expect(answers.map((a) => a.status)).toEqual([405, 200, 404, 401, 200]);
    expect(answers[4]?.body).toContain("generate_video");
    // One connection served them all: no answer asked the client to drop it.
    expect(new Set(answers.map((a) => a.localPort)).size).toBe(1);
  });
});
