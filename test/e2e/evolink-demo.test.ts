/**
 * `--demo` starts both simulators and connects both providers: the built CLI, over stdio
 * and over HTTP, serves EvoLink's models with no key and no network.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnCli, startHttpCli } from "../helpers/spawned.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "rivya-evolink-demo-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const out = (r: unknown) => (r as { structuredContent: any }).structuredContent;

describe("--demo with two providers", () => {
  it("over stdio: both providers configured; an EvoLink video is made and charged as quoted", async () => {
    const cli = await spawnCli(["--demo", "--state-dir", join(dir, "stdio")], {});
    try {
      const models = out(await cli.call("list_models"));
      expect(models.balances).toEqual([
        expect.objectContaining({ provider: "rivya", configured: true, credits: 1000 }),
        expect.objectContaining({ provider: "evolink", configured: true, credits: 1000 }),
      ]);
      const gen = await cli.call("generate_video", {
        model: "kling-v3-text-to-video",
        prompt: "A paper boat on a stream",
        params: { duration: 3, quality: "1080p" },
        wait_seconds: 20,
      });
      expect(gen.isError, JSON.stringify(gen.content)).toBeFalsy();
      expect(out(gen).task).toMatchObject({ status: "succeeded", final_credits: 21.5946 });
      const after = out(await cli.call("list_models", { model: "kling-v3-text-to-video" }));
      expect(after.balances[0]).toMatchObject({ provider: "evolink", credits: 978.4054 });
    } finally {
      await cli.close();
    }
  });

  it("over HTTP: an image-to-video task is submitted to the EvoLink simulator", async () => {
    const env = { PATH: process.env.PATH ?? "", HOME: dir };
    const server = await startHttpCli(["--demo", "--state-dir", join(dir, "http")], env);
    const client = new Client({ name: "demo-test", version: "1.0.0" });
    try {
      await client.connect(new StreamableHTTPClientTransport(new URL(server.url)));
      const gen = await client.callTool({
        name: "generate_video",
        arguments: {
          model: "kling-v3-image-to-video",
          prompt: "The boat sails away",
          reference_media: [{ url: "https://example.com/boat.png", kind: "image" }],
        },
      });
      expect(gen.isError, JSON.stringify(gen.content)).toBeFalsy();
      expect(out(gen).task).toMatchObject({ status: "queued", reserved_credits: 27 });
      expect(out(gen).task.task_id).toMatch(/^task-unified-/);
    } finally {
      await client.close().catch(() => {});
      server.child.kill("SIGTERM");
      await server.exited;
    }
  });
});
