/**
 * Issue 9's trial, replayed: the built CLI in --demo mode over real stdio, driven by the
 * SDK's Client the way an agent uses the tools from their definitions alone.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Spawned, spawnCli } from "../helpers/spawned.js";

let dir: string;
let cli: Spawned;
const stateDir = () => join(dir, "state");
const start = () =>
  spawnCli(["--demo", "--state-dir", stateDir(), "--output-dir", join(dir, "videos")], {
    RIVYA_MCP_ALLOW_DIRS: dir,
  });
const out = (r: unknown) => (r as { structuredContent: any }).structuredContent;
const text = (r: any) => r.content.map((c: any) => c.text ?? "").join("\n");

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "rivya-trial-"));
  cli = await start();
});
afterAll(async () => {
  await cli.close().catch(() => {});
  await rm(dir, { recursive: true, force: true });
});

describe("the agent trial over stdio (--demo)", () => {
  let first: string;

  it("top-level settings are refused with their place named, and nothing is spent", async () => {
    const before = out(await cli.call("list_models")).credit_balance;
    const r = await cli.call("generate_video", {
      model: "kling-3-0",
      prompt: "A fox in the snow",
      duration: 10,
      sound: true,
      aspect_ratio: "9:16",
    });
    expect(r.isError).toBe(true);
    expect(text(r)).toContain("params");
    expect(text(r)).toMatch(/duration/);
    expect(out(await cli.call("list_models")).credit_balance).toBe(before);
  });

  it("a dry run and a submit both echo the effective settings", async () => {
    const args = {
      model: "kling-3-0",
      prompt: "A fox in the snow",
      params: { duration: 10, sound: true, aspect_ratio: "9:16" },
    };
    const dry = await cli.call("generate_video", { ...args, dry_run: true });
    for (const part of ["kling-3-0 · pro", "10 s", "sound on", "9:16", "90 credits"])
      expect(text(dry)).toContain(part);
    expect(out(dry).settings).toMatchObject({ duration: 10, sound: true, aspect_ratio: "9:16" });
    const sent = await cli.call("generate_video", { ...args, client_request_id: "trial-a" });
    expect(sent.isError, text(sent)).toBeFalsy();
    expect(text(sent)).toContain("10 s · sound on · 9:16");
    expect(out(sent).settings).toMatchObject({ mode: "pro", duration: 10 });
    first = out(sent).task.task_id;
  });

  it("wait_seconds above the cap waits up to the cap and returns the task id", async () => {
    const r = await cli.call("generate_video", {
      model: "kling-3-0",
      prompt: "A heron at dawn",
      client_request_id: "trial-b",
      wait_seconds: 120,
    });
    expect(r.isError, text(r)).toBeFalsy();
    expect(out(r).task.task_id).toMatch(/\S/);
    expect(out(r).task.status).toBe("succeeded");
  }, 60_000);

  it("the recent list shows the first task succeeded without a get_task by id", async () => {
    const listed = out(await cli.call("get_task"));
    const a = listed.recent_tasks.find((t: any) => t.client_request_id === "trial-a");
    expect(a).toMatchObject({ task_id: first, status: "succeeded", current: true });
    expect(a.prompt).toContain("A fox in the snow");
  });

  it("a client_request_id passed as task_id finds the task", async () => {
    const r = await cli.call("get_task", { task_id: "trial-a" });
    expect(r.isError, text(r)).toBeFalsy();
    expect(out(r).task.task_id).toBe(first);
  });

  it("an unreachable https reference URL gives the specific reason", async () => {
    const r = await cli.call("upload_reference", {
      model: "kling-3-0",
      url: "https://host-that-does-not-exist.invalid/frame.png",
    });
    expect(r.isError).toBe(true);
    expect(text(r)).not.toContain("unexpected internal error");
    expect(text(r)).toMatch(/not found|could not be resolved|does not resolve/i);
    expect(cli.stderr()).not.toMatch(/\n\s+at /); // no stack trace for a client's mistake
  });

  it("a restarted --demo still answers get_task for an earlier task", async () => {
    await cli.close();
    cli = await start();
    const r = await cli.call("get_task", { task_id: first });
    expect(r.isError, text(r)).toBeFalsy();
    expect(out(r).task).toMatchObject({ task_id: first, status: "succeeded" });
  });
});
