/** The four tools end to end over Streamable HTTP, stateful and stateless, with the real SDK client. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pngBytes } from "../fixtures/images.js";
import { call, type HttpHarness, out, startHttpHarness, textOf } from "../helpers/http-harness.js";

describe.each([
  { mode: "stateful", stateless: false },
  { mode: "stateless", stateless: true },
])("over HTTP ($mode)", ({ stateless }) => {
  let h: HttpHarness;
  beforeAll(async () => {
    h = await startHttpHarness({ people: [{ name: "alice" }], http: { stateless } });
  });
  afterAll(() => h.close());

  it("list_models → upload_reference (base64) → generate_video → get_task", async () => {
    const c = await h.connect(h.tokens.alice);
    const { tools } = await c.listTools();
    expect(tools.map((t) => t.name)).toEqual([
      "list_models",
      "upload_reference",
      "generate_video",
      "get_task",
    ]);

    const models = await call(c, "list_models");
    expect(models.isError, textOf(models)).toBeFalsy();
    expect(out(models).credit_balance).toBe(1000);

    const upload = await call(c, "upload_reference", {
      model: "kling-3-0",
      base64: pngBytes().toString("base64"),
    });
    expect(upload.isError, textOf(upload)).toBeFalsy();
    const item = out(upload).reference_media_item;
    expect(item.mimeType).toBe("image/png");

    const gen = await call(c, "generate_video", {
      model: "kling-3-0",
      prompt: "A red square, spinning",
      params: { duration: 4 },
      reference_media: [item],
      client_request_id: `http-${stateless}`,
    });
    expect(gen.isError, textOf(gen)).toBeFalsy();
    const taskId = out(gen).task.task_id as string;

    const done = await call(c, "get_task", { task_id: taskId, wait_seconds: 5 });
    expect(done.isError, textOf(done)).toBeFalsy();
    expect(out(done).task.status).toBe("succeeded");
    expect(out(done).task.video_url).toMatch(/^http/);

    // Recorded under the token's name in the one shared store.
    expect((await h.store.get("alice", taskId))?.owner).toBe("alice");
    expect(await h.store.get("local", taskId)).toBeUndefined();
  });

  it("a retry with the same client_request_id returns the same task, not a second charge", async () => {
    const c = await h.connect(h.tokens.alice);
    const args = {
      model: "kling-v2-1-master",
      prompt: "A lighthouse",
      client_request_id: `retry-${stateless}`,
    };
    const first = out(await call(c, "generate_video", args)).task.task_id;
    const again = out(await call(c, "generate_video", args)).task.task_id;
    expect(again).toBe(first);
    expect(h.sim.tasks(h.keys.server).filter((t) => t.id === first)).toHaveLength(1);
  });

  it("download and local paths are refused over HTTP", async () => {
    const c = await h.connect(h.tokens.alice);
    const up = await call(c, "upload_reference", { model: "kling-3-0", path: "/etc/passwd" });
    expect(up.isError).toBe(true);
    expect(textOf(up)).toContain("path is not available on a hosted server");

    const gen = await call(c, "generate_video", {
      model: "kling-3-0",
      prompt: "A blue circle, rolling",
      client_request_id: `download-${stateless}`,
    });
    expect(gen.isError, textOf(gen)).toBeFalsy();
    const got = await call(c, "get_task", {
      task_id: out(gen).task.task_id,
      download: true,
      wait_seconds: 5,
    });
    expect(got.isError).toBe(true);
    expect(textOf(got)).toContain("download works only when rivya-mcp runs locally");
  });
});
