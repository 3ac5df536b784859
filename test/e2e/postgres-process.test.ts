/**
 * The built CLI with --store postgres://…, spawned: the ledger lives in the database (a
 * second process sees the first one's task), a database that cannot be reached costs
 * nothing, and /healthz says which store answers.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Simulator, startSimulator } from "../../src/providers/rivya/simulator/index.js";
import { textOf } from "../helpers/harness.js";
import {
  dropSchema,
  postgresUnavailable,
  TEST_DATABASE_URL,
  uniqueSchema,
} from "../helpers/postgres.js";
import { spawnCli, startHttpCli } from "../helpers/spawned.js";

const skip = (await postgresUnavailable()) !== undefined;
const KEY = "rvya_sk_pg_process_secret_123456";
const DEAD_URL = "postgres://postgres:hunter2secret@127.0.0.1:1/test";
let sim: Simulator;
let dir: string;
const schema = uniqueSchema();
const url = `${TEST_DATABASE_URL}?schema=${schema}`;

beforeAll(async () => {
  sim = await startSimulator({ queuedMs: 50, processingMs: 100 });
  dir = await mkdtemp(join(tmpdir(), "rivya-pg-process-"));
});
afterAll(async () => {
  await sim.close();
  await rm(dir, { recursive: true, force: true });
  if (!skip) await dropSchema(schema);
});

const env = (state: string, extra: Record<string, string> = {}) => ({
  RIVYA_API_KEY: KEY,
  RIVYA_BASE_URL: sim.url,
  RIVYA_MCP_STATE_DIR: join(dir, state),
  RIVYA_MCP_CONFIRM_ABOVE: "1000",
  ...extra,
});
const kling = { model: "kling-3-0", prompt: "A lighthouse at dusk", params: { duration: 5 } };

describe("spawned server on PostgreSQL", () => {
  it("database unreachable: initialize answers, generate_video fails clearly and retryably, 0 creates", async () => {
    const cli = await spawnCli(["--store", DEAD_URL], env("dead"));
    try {
      expect((await cli.call("list_models")).isError).toBeFalsy();
      const result = await cli.call("generate_video", { ...kling, client_request_id: "dead-1" });
      expect(result.isError).toBe(true);
      const text = textOf(result);
      expect(text).toContain("The task ledger's database (PostgreSQL) could not be used");
      expect(text).toContain(
        "This call submitted nothing and charged nothing. Retry in a few seconds.",
      );
      expect(text).toContain("[category: upstream_unavailable; retryable: true");
      expect(text).not.toContain("hunter2secret");
      expect(cli.stderr()).not.toContain("hunter2secret");
      expect(sim.tasks(KEY)).toHaveLength(0);
    } finally {
      await cli.close();
    }
  });

  it.skipIf(skip)("a task written by one process is found, and replayed, by another", async () => {
    const first = await spawnCli(["--store", url], env("a"));
    let taskId: string;
    try {
      const made = await first.call("generate_video", { ...kling, client_request_id: "shared-1" });
      taskId = (made.structuredContent as any).task.task_id;
      expect(taskId).toBeTruthy();
    } finally {
      await first.close();
    }
    // Another state folder: only the database connects the two.
    const second = await spawnCli([], env("b", { RIVYA_MCP_DATABASE_URL: url }));
    try {
      const listed = (await second.call("get_task")).structuredContent as any;
      expect(listed.recent_tasks.map((t: any) => t.task_id)).toEqual([taskId]);
      const again = await second.call("generate_video", {
        ...kling,
        client_request_id: "shared-1",
      });
      expect((again.structuredContent as any).task.task_id).toBe(taskId);
      expect(sim.tasks(KEY).filter((t) => t.id === taskId)).toHaveLength(1);
      expect(sim.tasks(KEY)).toHaveLength(1);
    } finally {
      await second.close();
    }
  });

  it.skipIf(skip)(
    "/healthz names the store and answers 503 when its database is down",
    async () => {
      const up = await startHttpCli(["--stateless", "--store", url], env("h1"));
      const down = await startHttpCli(["--stateless", "--store", DEAD_URL], env("h2"));
      const file = await startHttpCli([], env("h3"));
      try {
        const health = async (u: string) => {
          const res = await fetch(u.replace("/mcp", "/healthz"));
          return [res.status, await res.json()];
        };
        expect(await health(up.url)).toEqual([200, { status: "ok", store: "postgres" }]);
        expect(await health(down.url)).toEqual([
          503,
          { status: "unavailable", store: "postgres", reason: "the database cannot be reached" },
        ]);
        expect(await health(file.url)).toEqual([200, { status: "ok", store: "file" }]);
      } finally {
        for (const p of [up, down, file]) p.child.kill("SIGTERM");
        await Promise.all([up.exited, down.exited, file.exited]);
      }
    },
  );
});
