/**
 * upload_reference for EvoLink's image-to-video: a real MCP client drives the server, which
 * uploads over real HTTP to the simulator's Files API. Type, size and pixel rules are checked
 * before anything leaves: a refused image never reaches the simulator and costs nothing.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { greyJpegBytes, largePngBytes, pngBytes, webpBytes } from "../fixtures/images.js";
import { type Harness, startHarness, structuredOf, textOf } from "../helpers/harness.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    evolink: { pendingMs: 40, processingMs: 80, rateLimitPerMinute: null, startingCredits: 1e6 },
  });
});
afterAll(() => h.close());

const MODEL = "kling-v3-image-to-video";
const HOUR = 3600_000;
const evo = () => h.evo as NonNullable<Harness["evo"]>;
const uploads = () => evo().requests.filter((r) => r.path.startsWith("/api/v1/files/")).length;
const charged = () => evo().balance(h.evoKey).used;
const b64 = (b: Buffer) => b.toString("base64");

describe("an image that passes", () => {
  it("list → upload png and jpg → generate → get: a finished task, start and end frames", async () => {
    const listed = structuredOf(await h.call("list_models", { model: MODEL }));
    expect(listed.models[0].reference_media.kinds).toEqual([
      {
        kind: "image",
        mime_types: ["image/jpeg", "image/png"],
        max_bytes: 10 * 1024 * 1024,
        min_side_px: 300,
        max_aspect: 2.5,
      },
    ]);

    const before = uploads();
    const startBytes = pngBytes({ width: 640, height: 360 });
    const png = await h.call("upload_reference", {
      model: MODEL,
      base64: b64(startBytes),
      filename: "start.png",
    });
    expect(png.isError, textOf(png)).toBeFalsy();
    const start = structuredOf(png);
    expect(start.reference_media_item).toMatchObject({ kind: "image", mimeType: "image/png" });
    expect(start.reference_media_item.url).toMatch(new RegExp(`^${evo().url}/files/file`));
    expect(start.uploaded_to).toContain("EvoLink Files API");
    expect(start.frame).toBe("first: start frame (image_start); second: end frame (image_end)");
    // Files live 72 h at EvoLink: the result and the text say until when.
    const expiresIn = Date.parse(start.expires_at) - Date.now();
    expect(expiresIn).toBeGreaterThan(71 * HOUR);
    expect(expiresIn).toBeLessThanOrEqual(72 * HOUR);
    expect(textOf(png)).toContain("start frame (image_start)");
    expect(textOf(png)).toContain(`deletes the file at ${start.expires_at}`);

    // A jpg, sent from a local file in an allowed folder.
    const path = join(h.config.allowDirs[0] as string, "end.jpg");
    await writeFile(path, greyJpegBytes(480, 320));
    const jpg = await h.call("upload_reference", { model: MODEL, path });
    expect(jpg.isError, textOf(jpg)).toBeFalsy();
    const end = structuredOf(jpg);
    expect(end.reference_media_item).toMatchObject({ mimeType: "image/jpeg", name: "end.jpg" });
    expect(uploads() - before).toBe(2);
    // The link EvoLink will read serves the very bytes checked here.
    const served = await fetch(start.reference_media_item.url);
    expect(Buffer.from(await served.arrayBuffer()).equals(startBytes)).toBe(true);

    const spent = charged();
    const gen = await h.call("generate_video", {
      model: MODEL,
      prompt: "The lighthouse beam sweeps across the bay",
      reference_media: [start.reference_media_item, end.reference_media_item],
      params: { duration: 5 },
    });
    expect(gen.isError, textOf(gen)).toBeFalsy();
    const taskId = structuredOf(gen).task.task_id;

    const got = await h.call("get_task", { task_id: taskId, wait_seconds: 5 });
    expect(got.isError, textOf(got)).toBeFalsy();
    expect(structuredOf(got).task).toMatchObject({ status: "succeeded", final_credits: 27 });
    expect(charged() - spent).toBe(27);
  });
});

describe("refused before anything is uploaded or charged", () => {
  const refused = async (args: Record<string, unknown>) => {
    const before = { uploads: uploads(), charged: charged() };
    const res = await h.call("upload_reference", { model: MODEL, ...args });
    expect(res.isError).toBe(true);
    expect(uploads()).toBe(before.uploads);
    expect(charged()).toBe(before.charged);
    return textOf(res);
  };

  it("a webp", async () => {
    const text = await refused({ base64: b64(webpBytes()) });
    expect(text).toContain("is image/webp");
    expect(text).toContain("accepts image/jpeg, image/png");
  });

  it("a side of 299 px", async () => {
    const text = await refused({ base64: b64(pngBytes({ width: 299, height: 400 })) });
    expect(text).toContain("299×400 px");
    expect(text).toContain("at least 300 px on each side (its width is 299 px)");
    expect(text).toContain("Nothing was uploaded or charged");
  });

  it("an aspect of 1:3", async () => {
    const text = await refused({ base64: b64(greyJpegBytes(320, 960)) });
    expect(text).toContain("320×960 px, an aspect of 1:3");
    expect(text).toContain("between 1:2.5 and 2.5:1");
    expect(text).toContain("Crop it");
  });

  it("11 MB, from a local file and as base64", async () => {
    const big = largePngBytes(11 * 1024 * 1024);
    const path = join(h.config.allowDirs[0] as string, "big.png");
    await writeFile(path, big);
    for (const args of [{ path }, { base64: b64(big) }]) {
      const text = await refused(args);
      expect(text).toContain("accepts references up to 10 MB");
    }
  });

  it("an image whose size cannot be read", async () => {
    // A jpeg whose frame header (SOF0, 13 bytes after SOI and the 69-byte DQT) is cut out:
    // the type is jpeg, the pixels are unknown.
    const j = greyJpegBytes(400, 400);
    const broken = Buffer.concat([j.subarray(0, 71), j.subarray(84)]);
    const text = await refused({ base64: b64(broken) });
    expect(text).toContain("pixel dimensions could not be read");
  });
});
