import { existsSync, readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ListRootsRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { describe, expect, it } from "vitest";
import { MODELS } from "../../src/providers/index.js";
import { jpegBytes, pngBytes, webpBytes } from "../fixtures/images.js";
import { createdTasks, harnessPerTest, structuredOf, textOf } from "../helpers/harness.js";

const harness = harnessPerTest();

const structured = structuredOf;

describe("list_models", () => {
  it("returns the catalogue from the tables and the account balance", async () => {
    const t = await harness({ sim: { startingCredits: 777 } });
    const r = await t.call("list_models");
    expect(r.isError).toBeFalsy();
    const out = structured(r);
    expect(out.credit_balance).toBe(777);
    expect(out.models.map((m: any) => m.id)).toEqual(MODELS.map((m) => m.id));
    const byId = Object.fromEntries(out.models.map((m: any) => [m.id, m]));
    expect(byId["kling-3-0"]).toMatchObject({ base_credits: 90, max_prompt_length: 2000 });
    expect(byId["kling-v2-1-master"]).toMatchObject({ base_credits: 160, max_prompt_length: 5000 });
    // EvoLink's, served unconfigured by the harness: 5.4 credits/s × the default 5 s.
    expect(byId["kling-v3-text-to-video"]).toMatchObject({ base_credits: 27, configured: false });
    // The family: its cheapest member for its defaults in the family's unit (Rivya's, the
    // first provider with a key; no rates put EvoLink's credits in it), and each member's quote.
    expect(byId["kling-3.0"]).toMatchObject({
      provider: "family",
      base_credits: 90,
      unit: "Rivya credits",
    });
    expect(byId["kling-3.0"].members).toEqual([
      expect.objectContaining({ model: "kling-3-0", credits: 90, unit: "Rivya credits" }),
      expect.objectContaining({ model: "kling-v3-text-to-video", credits: 27 }),
      expect.objectContaining({
        model: "kling-v3-image-to-video",
        note: expect.stringContaining("start frame"),
      }),
    ]);
    const duration = out.models[0].params.find((p: any) => p.key === "duration");
    expect(duration).toMatchObject({
      type: "integer",
      default: 5,
      allowed: "an integer from 3 to 15",
    });
    expect(out.models[1].reference_media).toMatchObject({
      max_files: 1,
      kinds: [{ kind: "image", max_bytes: 10 * 1024 * 1024 }],
    });
    expect(textOf(r)).toContain("Balance: 777 Rivya credits");
  });

  it("filters by model and explains an unknown one", async () => {
    const t = await harness();
    expect(
      structured(await t.call("list_models", { model: "kling-v2-1-master" })).models,
    ).toHaveLength(1);
    const none = await t.call("list_models", { model: "sora" });
    expect(textOf(none)).toContain(`model must be one of ${MODELS.map((m) => m.id).join(", ")}`);
    const near = await t.call("list_models", { model: "Kling 3.0" });
    expect(textOf(near)).toContain("Did you mean kling-3-0?");
  });
});

describe("upload_reference", () => {
  it("uploads a local PNG from an allowed folder and returns a ready reference item", async () => {
    const t = await harness();
    const path = join(t.dir, "frame.png");
    await writeFile(path, pngBytes());
    const r = await t.call("upload_reference", { model: "kling-3-0", path });
    expect(r.isError).toBeFalsy();
    const out = structured(r);
    expect(out.reference_media_item).toMatchObject({
      kind: "image",
      mimeType: "image/png",
      name: "frame.png",
    });
    expect(out.reference_media_item.url).toMatch(/^http/);
    expect(out.source).toContain(path);
    expect(t.sim.stats().filesUploaded).toBe(1);
  });

  it("uploads base64 JPEG and WebP (also as a data: URL)", async () => {
    const t = await harness();
    const jpeg = await t.call("upload_reference", {
      model: "kling-v2-1-master",
      base64: jpegBytes().toString("base64"),
    });
    expect(structured(jpeg).reference_media_item.mimeType).toBe("image/jpeg");
    const webp = await t.call("upload_reference", {
      model: "kling-3-0",
      base64: `data:image/webp;base64,${webpBytes().toString("base64")}`,
      filename: "look.webp",
    });
    expect(structured(webp).reference_media_item).toMatchObject({
      mimeType: "image/webp",
      name: "look.webp",
    });
  });

  it("uses the client's MCP roots instead of the configured folders when offered", async () => {
    const t = await harness({
      capabilities: { roots: {} },
      config: { allowDirs: ["/nonexistent-allowed"] },
    });
    const path = join(t.dir, "frame.png");
    await writeFile(path, pngBytes());
    let roots = [{ uri: `file://${t.dir}` }];
    t.mcp.setRequestHandler(ListRootsRequestSchema, async () => ({ roots }));
    const allowed = await t.call("upload_reference", { model: "kling-3-0", path });
    expect(allowed.isError, textOf(allowed)).toBeFalsy();
    roots = [{ uri: `file://${join(t.dir, "elsewhere")}` }];
    const refused = await t.call("upload_reference", { model: "kling-3-0", path });
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toContain("outside the folders");
    expect(t.sim.stats().filesUploaded).toBe(1);
  });
});

describe("generate_video and get_task", () => {
  it("submits with natural JSON, sends the upstream form, and returns the task id at once", async () => {
    const t = await harness();
    const r = await t.call("generate_video", {
      model: "kling-3-0",
      prompt: "A paper boat on a rainy street",
      params: { duration: 10, sound: true, aspect_ratio: "9:16" },
    });
    expect(r.isError).toBeFalsy();
    const out = structured(r);
    expect(out.submitted).toBe(true);
    expect(out.cost.credits).toBe(90);
    expect(out.task.status).toBe("queued");
    expect(out.task.task_id).toMatch(/\S/);
    const [task] = createdTasks(t);
    expect(task?.id).toBe(out.task.task_id);
    expect(t.sim.balance(t.apiKey)).toBe(1000 - 90);
  });

  it("dry_run shows the exact upstream request and cost, and submits nothing", async () => {
    const t = await harness();
    const r = await t.call("generate_video", {
      model: "kling-v2-1-master",
      prompt: "Fog over a harbour",
      params: { duration: 10, cfg_scale: 0.7 },
      dry_run: true,
      client_request_id: "dry-1",
    });
    const out = structured(r);
    expect(out.submitted).toBe(false);
    expect(out.cost.credits).toBe(160);
    expect(out.request).toEqual({
      model: "kling-v2-1-master",
      prompt: "Fog over a harbour",
      params: { duration: "10", aspect_ratio: "16:9", cfg_scale: 0.7 },
      client_request_id: "dry-1",
    });
    expect(createdTasks(t)).toHaveLength(0);
  });

  it("max_credits refuses a dearer call before anything is spent", async () => {
    const t = await harness();
    const r = await t.call("generate_video", {
      model: "kling-v2-1-master",
      prompt: "x",
      max_credits: 100,
    });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toContain("costs 160 Rivya credits, above max_credits 100 Rivya credits");
    expect(createdTasks(t)).toHaveLength(0);
  });

  it("a retried call with the same client_request_id returns the same task and is charged once", async () => {
    const t = await harness();
    const args = { model: "kling-3-0", prompt: "Retry me", client_request_id: "req-42" };
    const first = structured(await t.call("generate_video", args));
    const second = await t.call("generate_video", args);
    expect(structured(second).task.task_id).toBe(first.task.task_id);
    expect(structured(second).replayed).toBe(true);
    expect(createdTasks(t)).toHaveLength(1);
    expect(t.sim.balance(t.apiKey)).toBe(1000 - 90);
    const other = await t.call("generate_video", { ...args, prompt: "Something else" });
    expect(other.isError).toBe(true);
    expect(textOf(other)).toContain("already used for a different request");
  });

  it("waits with progress notifications and returns the finished video", async () => {
    const t = await harness();
    const progress: string[] = [];
    const r = await t.mcp.callTool(
      {
        name: "generate_video",
        arguments: { model: "kling-3-0", prompt: "Sunrise", wait_seconds: 5 },
      },
      undefined,
      { onprogress: (p) => progress.push(p.message ?? "") },
    );
    const out = structured(r);
    expect(out.task.status).toBe("succeeded");
    expect(out.task.video_url).toMatch(/\.mp4$/);
    expect(out.task.final_credits).toBe(90);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)).toContain("succeeded");
  });

  it("when the wait runs out it still returns the task id and when to check again", async () => {
    const t = await harness({ sim: { queuedMs: 5000, processingMs: 5000 } });
    const r = await t.call("generate_video", {
      model: "kling-3-0",
      prompt: "Slow",
      wait_seconds: 0.2,
    });
    expect(r.isError).toBeFalsy();
    const out = structured(r);
    expect(out.task.task_id).toMatch(/\S/);
    expect(out.task.done).toBe(false);
    expect(out.check_again_in_seconds).toBeGreaterThan(0);
  });

  it("get_task reports a failure with its category, retryability and the refund", async () => {
    const t = await harness();
    const before = t.sim.balance(t.apiKey);
    const gen = structured(
      await t.call("generate_video", { model: "kling-3-0", prompt: "boom [sim:fail]" }),
    );
    const r = await t.call("get_task", { task_id: gen.task.task_id, wait_seconds: 5 });
    const task = structured(r).task;
    expect(task.status).toBe("failed");
    expect(task.final_credits).toBe(0);
    expect(task.refunded_credits).toBe(90);
    expect(task.error).toMatchObject({
      code: "generation_failed",
      category: "generation_failed",
      retryable: true,
    });
    expect(textOf(r)).toContain("90 reserved credits were refunded");
    expect(t.sim.balance(t.apiKey)).toBe(before);
  });

  it("classifies a content rejection as not worth retrying unchanged", async () => {
    const t = await harness();
    const gen = structured(
      await t.call("generate_video", { model: "kling-3-0", prompt: "bad [sim:reject]" }),
    );
    const task = structured(
      await t.call("get_task", { task_id: gen.task.task_id, wait_seconds: 5 }),
    ).task;
    expect(task.error).toMatchObject({ category: "content_rejected", retryable: false });
  });

  it("downloads the finished video into the output folder", async () => {
    const t = await harness();
    const gen = structured(
      await t.call("generate_video", { model: "kling-3-0", prompt: "Keep it" }),
    );
    const r = await t.call("get_task", {
      task_id: gen.task.task_id,
      wait_seconds: 5,
      download: true,
    });
    const out = structured(r);
    expect(out.saved_path).toBe(join(t.config.outputDir, `${gen.task.task_id}.mp4`));
    expect(existsSync(out.saved_path)).toBe(true);
    expect(readFileSync(out.saved_path).subarray(4, 8).toString("latin1")).toBe("ftyp");
  });

  it("get_task on an unknown id is not_found, in words", async () => {
    const t = await harness();
    const r = await t.call("get_task", { task_id: "task_nope" });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toContain("category: not_found");
  });

  it("references flow from upload_reference into generate_video", async () => {
    const t = await harness();
    const up = structured(
      await t.call("upload_reference", {
        model: "kling-v2-1-master",
        base64: pngBytes().toString("base64"),
      }),
    );
    const r = await t.call("generate_video", {
      model: "kling-v2-1-master",
      prompt: "Animate this",
      reference_media: [up.reference_media_item],
      confirm: true,
    });
    expect(r.isError).toBeFalsy();
    expect(createdTasks(t)).toHaveLength(1);
  });
});
