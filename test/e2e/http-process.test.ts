/** The built CLI in hosted mode, spawned: token creation, start-up refusals, and SIGTERM mid-call. */
import { execFile, spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadTokensFile, matchToken, storedTokens } from "../../src/transports/tokens.js";
import { call, out, rawRequest, textOf } from "../helpers/http-harness.js";
import { startHttpCli } from "../helpers/spawned.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "rivya-http-e2e-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const env = () => ({ PATH: process.env.PATH ?? "", HOME: dir });

function cli(args: string[]) {
  return spawnSync(process.execPath, ["dist/cli.js", ...args], {
    env: env(),
    encoding: "utf8",
    timeout: 15_000,
  });
}

const start = (args: string[]) => startHttpCli(args, env());

describe("spawned hosted server", () => {
  it("refuses to bind beyond loopback without a tokens file, and says why", () => {
    const r = cli(["--http", "--host", "0.0.0.0", "--port", "0", "--demo"]);
    // Refused by startHttpServer, before it listens; cli.ts reports a failed start with 1.
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("refusing to listen on 0.0.0.0 without --tokens-file");
  });

  it("token create prints the token once on stdout and refuses a duplicate", () => {
    const file = join(dir, "dup.json");
    const first = cli(["token", "create", "--name", "ann", "--tokens-file", file]);
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/^rmcp_[A-Za-z0-9_-]{43}\n$/);
    const again = cli(["token", "create", "--name", "ann", "--tokens-file", file]);
    expect(again.status).toBe(2);
    expect(again.stderr).toContain("already exists");
  });

  it("SIGTERM during a waiting call: the call returns its task id, the ledger has it, exit 0", async () => {
    const tokens = join(dir, "tokens.json");
    const made = cli([
      "token",
      "create",
      "--name",
      "alice",
      "--tokens-file",
      tokens,
      "--daily-budget",
      "500",
    ]);
    const token = made.stdout.trim();
    const stateDir = join(dir, "state");
    const server = await start(["--demo", "--tokens-file", tokens, "--state-dir", stateDir]);
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:(?!0\/)\d+\/mcp$/);
    expect((await fetch(server.url.replace("/mcp", "/healthz"))).status).toBe(200);
    expect((await fetch(server.url, { method: "POST", body: "{}" })).status).toBe(401);

    const client = new Client({ name: "e2e-http", version: "1" });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(server.url), {
        requestInit: { headers: { authorization: `Bearer ${token}` } },
      }),
    );
    // The demo simulator takes ~8 s per video; polls come at 3 s, then every 10 s (config.ts),
    // so with wait_seconds 10 the call checks once at 3 s and returns (a second check would
    // fall past its deadline). SIGTERM lands at 1.5 s, mid-wait: the drain (10 s grace) has
    // to let the call run to its 3 s check.
    const pending = call(client, "generate_video", {
      model: "kling-v2-1-master",
      prompt: "A lighthouse in a storm",
      confirm: true,
      client_request_id: "sigterm-1",
      wait_seconds: 10,
    });
    await sleep(1500);
    server.child.kill("SIGTERM");
    const termAt = Date.now();
    const result = await pending;
    console.log(
      `[sigterm] the call finished ${Date.now() - termAt} ms after SIGTERM: ${textOf(result).slice(0, 90)}`,
    );
    expect(result.isError, textOf(result)).toBeFalsy();
    const taskId = out(result).task.task_id as string;
    expect(taskId).toBeTruthy();
    expect(await server.exited).toBe(0);
    const ledger = await readFile(join(stateDir, "ledger.jsonl"), "utf8");
    expect(ledger).toContain(taskId);
    expect(ledger).toContain('"owner":"alice"');
    expect(server.stderr()).not.toContain(token);
    expect(server.stderr()).toContain('"msg":"shutting down"');
    await client.close().catch(() => {});
  }, 30_000);

  it("finding 14: a 20 MB body gets a 413 the client reads, never a reset", async () => {
    // In-process the client and server share one event loop and the reset never shows;
    // a separate server process is where an unread upload used to meet a closed socket.
    const server = await start(["--demo", "--state-dir", join(dir, "state-413")]);
    const headers = { "content-type": "application/json", accept: "application/json" };
    const body = "x".repeat(20 * 1024 * 1024);
    const statuses: (number | string)[] = [];
    for (let i = 0; i < 4; i++) {
      const viaFetch = await fetch(server.url, { method: "POST", headers, body }).then(
        (r) => r.status,
        (err: Error & { cause?: { code?: string } }) => err.cause?.code ?? err.message,
      );
      statuses.push(viaFetch, (await rawRequest(server.url, "POST", headers, body)).status);
      const streamed = Array.from({ length: 20 }, () => Buffer.alloc(1024 * 1024, 0x20));
      statuses.push((await rawRequest(server.url, "POST", headers, streamed)).status);
    }
    expect(statuses).toEqual(Array(12).fill(413));
    server.child.kill("SIGTERM");
    expect(await server.exited).toBe(0);
  }, 30_000);

  it("finding 12: eight concurrent token creates keep eight valid tokens", async () => {
    const file = join(dir, "race.json");
    const names = Array.from({ length: 8 }, (_, i) => `racer${i}`);
    const runs = await Promise.all(
      names.map((name) =>
        promisify(execFile)(
          process.execPath,
          ["dist/cli.js", "token", "create", "--name", name, "--tokens-file", file],
          { env: env(), timeout: 15_000 },
        ),
      ),
    );
    const printed = runs.map((r) => r.stdout.trim());
    const stored = storedTokens((await loadTokensFile(file)).tokens);
    expect(stored.map((s) => s.entry.name).sort()).toEqual(names);
    // Each printed token opens exactly its own entry.
    expect(printed.map((t) => matchToken(t, stored)?.name)).toEqual(names);
  }, 30_000);
});
