/**
 * Finding 8 with a real process: an upstream whose status reads never answer must not keep
 * a waiting call past its bound, and a server asked to stop must still answer a waiting
 * call with its task id. A stub stands in front of the simulator: creates pass through,
 * status reads are held open until the caller gives up on them.
 */

import { mkdtemp, rm } from "node:fs/promises";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Simulator, startSimulator } from "../../src/providers/rivya/simulator/index.js";
import { spawnCli } from "../helpers/spawned.js";

const KEY = "rvya_sk_slow_reads_key_123";
let sim: Simulator;
let stub: Server;
let stubUrl: string;
let dir: string;
const heldReads = { opened: 0, abandoned: 0 };

beforeAll(async () => {
  sim = await startSimulator({ queuedMs: 60_000, processingMs: 60_000 });
  dir = await mkdtemp(join(tmpdir(), "rivya-slow-reads-"));
  const target = new URL(sim.url);
  stub = createServer((req, res) => {
    if (req.method === "GET" && req.url?.startsWith("/api/v1/generations/")) {
      heldReads.opened += 1;
      res.on("close", () => {
        if (!res.writableEnded) heldReads.abandoned += 1;
      });
      return; // never answered
    }
    const upstream = request(
      {
        host: target.hostname,
        port: target.port,
        path: req.url,
        method: req.method,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    req.pipe(upstream);
  });
  await new Promise<void>((r) => stub.listen(0, "127.0.0.1", r));
  stubUrl = `http://127.0.0.1:${(stub.address() as AddressInfo).port}`;
});
afterAll(async () => {
  stub.closeAllConnections();
  await new Promise((r) => stub.close(r));
  await sim.close();
  await rm(dir, { recursive: true, force: true });
});

const env = (name: string) => ({
  RIVYA_API_KEY: KEY,
  RIVYA_BASE_URL: stubUrl,
  RIVYA_MCP_STATE_DIR: join(dir, name),
  RIVYA_MCP_CONFIRM_ABOVE: "1000",
});

describe("finding 8: wait_seconds bounds the call (real process)", () => {
  it("a status read that never answers ends with the wait, and the task id comes back", async () => {
    const cli = await spawnCli([], env("a"));
    try {
      const before = heldReads.abandoned;
      const r = await cli.call("generate_video", {
        model: "kling-3-0",
        prompt: "Reads that hang",
        wait_seconds: 4,
      });
      expect(r.isError).toBeFalsy();
      const out = r.structuredContent as { task: { task_id: string; status: string } };
      expect(out.task.task_id).toBe(sim.tasks(KEY).at(-1)?.id);
      // The hanging read was given up by the server itself, not left to run.
      await new Promise((res) => setTimeout(res, 200));
      expect(heldReads.abandoned).toBeGreaterThan(before);
    } finally {
      await cli.close();
    }
  });

  it("SIGTERM during such a wait: the call still answers with its task id", async () => {
    const cli = await spawnCli([], env("b"));
    try {
      const opened = heldReads.opened;
      const pending = cli.call("generate_video", {
        model: "kling-3-0",
        prompt: "Stopped while waiting",
        wait_seconds: 40,
      });
      for (let i = 0; i < 400 && heldReads.opened === opened; i++)
        await new Promise((res) => setTimeout(res, 25));
      expect(heldReads.opened).toBeGreaterThan(opened);
      process.kill(cli.transport.pid as number, "SIGTERM");
      const r = await pending;
      expect(r.isError).toBeFalsy();
      const out = r.structuredContent as { task: { task_id: string } };
      expect(out.task.task_id).toBe(sim.tasks(KEY).at(-1)?.id);
    } finally {
      await cli.close().catch(() => {});
    }
  });
});
