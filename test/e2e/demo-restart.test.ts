/** Issue 9 item 7: a `--demo` server killed and started again still knows its tasks and balance. */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Spawned, spawnCli } from "../helpers/spawned.js";

let stateDir: string;
beforeAll(async () => {
  stateDir = await mkdtemp(join(tmpdir(), "rivya-demo-restart-"));
});
afterAll(() => rm(stateDir, { recursive: true, force: true }));

const demo = (dir = stateDir) => spawnCli(["--demo", "--state-dir", dir], {});
const balanceOf = async (cli: Spawned) =>
  ((await cli.call("list_models")).structuredContent as any).credit_balance as number;

describe("--demo across a restart", () => {
  it("get_task still answers for a task made before the server was killed, with the same balance", async () => {
    const first = await demo();
    let taskId: string;
    let balance: number;
    try {
      const gen = await first.call("generate_video", {
        model: "kling-3-0",
        prompt: "A lantern drifting over a lake",
        client_request_id: "restart-1",
        wait_seconds: 0,
      });
      expect(gen.isError).toBeFalsy();
      taskId = (gen.structuredContent as any).task.task_id;
      balance = await balanceOf(first);
      expect(balance).toBe(1000 - 90);
    } finally {
      // A host that kills its server gives it no chance to tidy up.
      process.kill(first.transport.pid as number, "SIGKILL");
      await first.close().catch(() => {});
    }

    const second = await demo();
    try {
      const got = await second.call("get_task", { task_id: taskId });
      expect(got.isError, JSON.stringify(got.content)).toBeFalsy();
      const task = (got.structuredContent as any).task;
      expect(task.task_id).toBe(taskId);
      expect(["queued", "processing", "succeeded"]).toContain(task.status);
      expect(await balanceOf(second)).toBe(balance);
      // A retry with the same client_request_id is a replay, not a second charge.
      const again = await second.call("generate_video", {
        model: "kling-3-0",
        prompt: "A lantern drifting over a lake",
        client_request_id: "restart-1",
        wait_seconds: 0,
      });
      expect((again.structuredContent as any).task.task_id).toBe(taskId);
      expect(await balanceOf(second)).toBe(balance);
    } finally {
      await second.close();
    }
    expect(second.protocolErrors).toEqual([]);
  }, 60_000);

  it("a second demo on the same state folder runs in memory instead of overwriting the first's", async () => {
    const shared = join(stateDir, "shared");
    const first = await demo(shared);
    try {
      await first.call("generate_video", {
        model: "kling-3-0",
        prompt: "A kite over a beach",
        wait_seconds: 0,
      });
      const second = await demo(shared);
      try {
        expect(second.stderr()).toContain("is in use by process");
        expect(second.stderr()).toContain("keeps its tasks in memory only");
        expect(await balanceOf(second)).toBe(1000); // its own fresh wallet
        expect(await balanceOf(first)).toBe(1000 - 90); // the first still has the saved one
      } finally {
        await second.close();
      }
    } finally {
      await first.close();
    }
  }, 60_000);
});
