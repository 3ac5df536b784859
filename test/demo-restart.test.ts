/** Issue 9 item 7: a `--demo` server killed and started again still knows its tasks and balance. */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Spawned, spawnCli } from "./helpers/spawned.js";

let stateDir: string;
beforeAll(async () => {
  stateDir = await mkdtemp(join(tmpdir(), "rivya-demo-restart-"));
});
afterAll(() => rm(stateDir, { recursive: true, force: true }));

const demo = () => spawnCli(["--demo", "--state-dir", stateDir], {});
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
});
