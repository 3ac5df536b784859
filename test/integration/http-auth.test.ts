/** Access tokens and isolation between people on one hosted server. */
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../src/log.js";
import {
  createToken,
  hashToken,
  loadTokensFile,
  matchToken,
  storedTokens,
} from "../../src/transports/tokens.js";
import {
  call,
  type HttpHarness,
  INIT,
  out,
  rawPost,
  startHttpHarness,
  textOf,
} from "../helpers/http-harness.js";

const logs: string[] = [];
let h: HttpHarness;
beforeAll(async () => {
  h = await startHttpHarness({
    people: [
      { name: "alice", dailyBudget: 400 },
      { name: "bob", dailyBudget: 400 },
      { name: "carol", keyEnv: "RIVYA_KEY_CAROL" },
    ],
    log: createLogger({ level: "debug", write: (l) => logs.push(l) }),
  });
});
afterAll(() => h.close());

const master = { model: "kling-v2-1-master", prompt: "A lighthouse in a storm" }; // 160 credits

describe("access tokens", () => {
  it.each([
    ["no token", {}],
    ["a wrong token", { authorization: "Bearer rmcp_not-a-real-token" }],
    ["another scheme", { authorization: `Basic ${Buffer.from("a:b").toString("base64")}` }],
  ])("%s gets 401 with WWW-Authenticate and a JSON-RPC error", async (_what, headers) => {
    const res = await rawPost(h.url, INIT, headers);
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe('Bearer realm="rivya-mcp"');
    const body = (await res.json()) as any;
    expect(body).toMatchObject({ jsonrpc: "2.0", id: null, error: { code: -32000 } });
  });

  it("the SDK client with a wrong token cannot connect", async () => {
    await expect(h.connect("rmcp_wrong")).rejects.toMatchObject({ code: 401 });
  });

  it("the tokens file holds only hashes, is 0600, and refuses a duplicate name", async () => {
    const dir = await mkdtemp(join(tmpdir(), "rivya-tokens-"));
    try {
      const file = join(dir, "tokens.json");
      const token = await createToken(file, {
        name: "dana",
        dailyBudget: 50,
        rivyaKeyEnv: "DANA_KEY",
      });
      expect(token).toMatch(/^rmcp_[A-Za-z0-9_-]{43}$/);
      const text = await readFile(file, "utf8");
      expect(text).not.toContain(token);
      expect(text).toContain(hashToken(token));
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      const loaded = await loadTokensFile(file);
      expect(loaded.tokens[0]).toMatchObject({
        name: "dana",
        daily_budget: 50,
        rivya_key_env: "DANA_KEY",
      });
      const stored = storedTokens(loaded.tokens);
      expect(matchToken(token, stored)?.name).toBe("dana");
      expect(matchToken(`${token}x`, stored)).toBeUndefined();
      await expect(createToken(file, { name: "dana" })).rejects.toThrow(/already exists/);
      await expect(
        createToken(file, { name: "eve", rivyaKeyEnv: "rvya_sk_inline" }),
      ).rejects.toThrow(/NAME/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("isolation between people", () => {
  it("B cannot read A's task, nor see it in the recent list", async () => {
    const a = await h.connect(h.tokens.alice);
    const b = await h.connect(h.tokens.bob);
    const taskId = out(await call(a, "generate_video", { ...master, client_request_id: "iso-1" }))
      .task.task_id;
    const seen = await call(b, "get_task", { task_id: taskId });
    expect(seen.isError).toBe(true);
    expect(textOf(seen)).toContain(`No task ${taskId} among yours`);
    expect(JSON.stringify(out(await call(b, "get_task")))).not.toContain(taskId);
    // The same client_request_id from B is B's own request, not a replay of A's.
    const bTask = out(await call(b, "generate_video", { ...master, client_request_id: "iso-1" }))
      .task.task_id;
    expect(bTask).not.toBe(taskId);
    expect((await call(a, "get_task", { task_id: taskId })).isError).toBeFalsy();
  });

  it("budgets are per person: B's spend does not count against A, and A stops at A's cap", async () => {
    const a = await h.connect(h.tokens.alice);
    const b = await h.connect(h.tokens.bob);
    // After the test above each has spent 160 of 400 today.
    expect(
      (await call(b, "generate_video", { ...master, client_request_id: "b-2" })).isError,
    ).toBeFalsy();
    const a2 = await call(a, "generate_video", { ...master, client_request_id: "a-2" });
    expect(a2.isError, textOf(a2)).toBeFalsy();
    const a3 = await call(a, "generate_video", { ...master, client_request_id: "a-3" });
    expect(a3.isError).toBe(true);
    expect(textOf(a3)).toMatch(/\b80\b.*budget of 400/);
    const b3 = await call(b, "generate_video", { ...master, client_request_id: "b-3" });
    expect(textOf(b3)).toMatch(/\b80\b.*budget of 400/);
  });

  it("a session belongs to the token that opened it", async () => {
    const opened = await rawPost(h.url, INIT, { authorization: `Bearer ${h.tokens.alice}` });
    const sid = opened.headers.get("mcp-session-id") ?? "";
    await opened.text();
    const list = JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list" });
    const headers = { "mcp-session-id": sid, "mcp-protocol-version": "2025-06-18" };
    const stolen = await rawPost(h.url, list, {
      ...headers,
      authorization: `Bearer ${h.tokens.bob}`,
    });
    expect(stolen.status).toBe(404);
    expect(((await stolen.json()) as any).error.code).toBe(-32001);
    const own = await rawPost(h.url, list, {
      ...headers,
      authorization: `Bearer ${h.tokens.alice}`,
    });
    expect(own.status).toBe(200);
    expect(await own.text()).toContain("generate_video");
  });

  it("a personal key pays for its owner; client tokens never reach Rivya", async () => {
    const c = await h.connect(h.tokens.carol);
    const taskId = out(await call(c, "generate_video", { ...master, client_request_id: "carol-1" }))
      .task.task_id;
    expect(h.sim.tasks(h.keys.carol).map((t) => t.id)).toContain(taskId);
    expect(h.sim.tasks(h.keys.server).map((t) => t.id)).not.toContain(taskId);
    const upstreamKeys = new Set(h.sim.requests.map((r) => r.key).filter(Boolean));
    expect([...upstreamKeys].sort()).toEqual([h.keys.carol, h.keys.server].sort());
  });

  it("logs carry request ids and names, never tokens or keys", () => {
    const all = logs.join("\n");
    expect(all).toMatch(/"request_id":"[0-9a-f-]{36}"/);
    expect(all).toContain('"person":"alice"');
    for (const token of Object.values(h.tokens)) expect(all).not.toContain(token);
    expect(all).not.toContain(h.keys.carol);
  });
});
