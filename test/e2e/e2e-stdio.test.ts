/** End to end: the built CLI spawned over stdio, against the simulator over real HTTP. */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Simulator, startSimulator } from "../../src/providers/rivya/simulator/index.js";
import { pngBytes } from "../fixtures/images.js";
import { spawnCli } from "../helpers/spawned.js";

const KEY = "rvya_sk_e2e_secret_value_123456";
let sim: Simulator;
let dir: string;

beforeAll(async () => {
  sim = await startSimulator({ queuedMs: 50, processingMs: 100 });
  dir = await mkdtemp(join(tmpdir(), "rivya-e2e-"));
  await writeFile(join(dir, "frame.png"), pngBytes());
});
afterAll(async () => {
  await sim.close();
  await rm(dir, { recursive: true, force: true });
});

function env(stateDir: string, baseUrl = sim.url): Record<string, string> {
  return {
    RIVYA_API_KEY: KEY,
    RIVYA_BASE_URL: baseUrl,
    RIVYA_MCP_ALLOW_DIRS: dir,
    RIVYA_MCP_STATE_DIR: stateDir,
    // What Claude Desktop passes for a blank optional bundle field: must count as unset.
    RIVYA_MCP_OUTPUT_DIR: "${user_config.output_directory}",
    RIVYA_MCP_CONFIRM_ABOVE: "1000",
  };
}

describe("spawned stdio server", () => {
  it("runs the whole flow; stdout carries only the protocol and no log holds the key", async () => {
    const cli = await spawnCli(["--output-dir", join(dir, "videos")], env(join(dir, "state-a")));
    try {
      const { tools } = await cli.client.listTools();
      expect(tools.map((t) => t.name)).toEqual([
        "list_models",
        "upload_reference",
        "generate_video",
        "get_task",
      ]);
      const models = await cli.call("list_models");
      expect((models.structuredContent as any).credit_balance).toBe(1000);
      const upload = await cli.call("upload_reference", {
        model: "kling-3-0",
        path: join(dir, "frame.png"),
      });
      const item = (upload.structuredContent as any).reference_media_item;
      const gen = await cli.call("generate_video", {
        model: "kling-3-0",
        prompt: "A red square, spinning",
        params: { duration: 4 },
        reference_media: [item],
        client_request_id: "e2e-1",
      });
      const taskId = (gen.structuredContent as any).task.task_id;
      await sleep(300);
      const done = await cli.call("get_task", { task_id: taskId, download: true });
      expect((done.structuredContent as any).task.status).toBe("succeeded");
      expect((done.structuredContent as any).saved_path).toBe(join(dir, "videos", `${taskId}.mp4`));
      expect(sim.tasks(KEY).map((t) => t.id)).toContain(taskId);
    } finally {
      await cli.close();
    }
    expect(cli.protocolErrors).toEqual([]);
    expect(cli.stderr()).not.toContain(KEY);
  });

  it("a server SIGKILLed right after a create loses nothing: the ledger lists the task and a retry returns it", async () => {
    // A slow task, so the server is still inside generate_video's wait when it dies.
    const slow = await startSimulator({ queuedMs: 60_000, processingMs: 60_000 });
    const stateDir = join(dir, "state-kill");
    try {
      const first = await spawnCli([], env(stateDir, slow.url));
      const args = {
        model: "kling-v2-1-master",
        prompt: "Killed mid-wait",
        client_request_id: "kill-1",
        wait_seconds: 30,
      };
      const pending = first.call("generate_video", args).catch((err: Error) => err);
      // The first status poll comes after the ledger write; kill the server then, mid-call.
      const polled = () =>
        slow.requests.some((r) => r.method === "GET" && r.path.startsWith("/api/v1/generations/"));
      for (let i = 0; i < 400 && !polled(); i++) await sleep(25);
      expect(polled()).toBe(true);
      process.kill(first.transport.pid as number, "SIGKILL");
      expect(await pending).toBeInstanceOf(Error);
      await first.close().catch(() => {});
      const created = slow.tasks(KEY);
      expect(created).toHaveLength(1);

      const second = await spawnCli([], env(stateDir, slow.url));
      try {
        const listed = (await second.call("get_task")).structuredContent as any;
        expect(listed.recent_tasks.map((t: any) => t.task_id)).toEqual([created[0]?.id]);
        const retried = (await second.call("generate_video", { ...args, wait_seconds: 0 }))
          .structuredContent as any;
        expect(retried.task.task_id).toBe(created[0]?.id);
        expect(retried.replayed).toBe(true);
        expect(slow.tasks(KEY)).toHaveLength(1);
        expect(slow.stats().creditsCharged).toBe(160);
      } finally {
        await second.close();
      }
    } finally {
      await slow.close();
    }
  });

  it("--help and --version answer without starting a server", async () => {
    const { execFileSync } = await import("node:child_process");
    const help = execFileSync(process.execPath, ["dist/cli.js", "--help"]).toString();
    expect(help).toContain("--demo");
    expect(help).toContain("RIVYA_API_KEY");
    const version = execFileSync(process.execPath, ["dist/cli.js", "--version"]).toString().trim();
    expect(version).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
