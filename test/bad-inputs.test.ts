/**
 * The catalogue of bad inputs: every one must come back as an isError result that names
 * the problem and the fix, and none may reach Rivya's paid or upload endpoints.
 */
import { mkdir, rm, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { largePngBytes, pdfBytes, pngBytes, textBytes } from "./fixtures/images.js";
import { type Harness, startHarness, textOf } from "./helpers/harness.js";

let h: Harness;
let outside: string;
beforeAll(async () => {
  h = await startHarness();
  outside = join(h.dir, "..", `outside-${process.pid}`);
  await mkdir(outside, { recursive: true });
  await writeFile(join(outside, "secret.png"), pngBytes());
  await writeFile(join(h.dir, "notes.png"), textBytes());
  await writeFile(join(h.dir, "huge.png"), largePngBytes(11 * 1024 * 1024));
  await symlink(join(outside, "secret.png"), join(h.dir, "link.png"));
});
afterAll(async () => {
  await h.close();
  await rm(outside, { recursive: true, force: true });
});

const img = (n: number) => ({
  url: `https://cdn.example.com/ref-${n}.png`,
  kind: "image",
  mimeType: "image/png",
});
const k3 = (extra: Record<string, unknown>) => ({
  model: "kling-3-0",
  prompt: "A calm lake",
  ...extra,
});
const master = (extra: Record<string, unknown>) => ({
  model: "kling-v2-1-master",
  prompt: "A calm lake",
  ...extra,
});

type Case = [name: string, tool: string, args: () => Record<string, unknown>, mustSay: string[]];

const cases: Case[] = [
  [
    "unknown model",
    "generate_video",
    () => ({ model: "sora-9", prompt: "x" }),
    ["Unknown model 'sora-9'", "list_models"],
  ],
  [
    "missing model",
    "generate_video",
    () => ({ prompt: "x" }),
    ["model is required", "list_models"],
  ],
  ["missing prompt", "generate_video", () => ({ model: "kling-3-0" }), ["prompt is required"]],
  ["empty prompt", "generate_video", () => k3({ prompt: "" }), ["prompt"]],
  [
    "prompt over 2000 for kling-3-0",
    "generate_video",
    () => k3({ prompt: "a".repeat(2001) }),
    ["2001 characters", "at most 2000", "Shorten"],
  ],
  [
    "prompt over 5000 for master",
    "generate_video",
    () => master({ prompt: "a".repeat(5001) }),
    ["at most 5000"],
  ],
  [
    "kling-3-0 duration 2",
    "generate_video",
    () => k3({ params: { duration: 2 } }),
    ["params.duration must be an integer from 3 to 15 for kling-3-0"],
  ],
  [
    "kling-3-0 duration 16",
    "generate_video",
    () => k3({ params: { duration: 16 } }),
    ["params.duration must be an integer from 3 to 15"],
  ],
  [
    "kling-3-0 duration '5s'",
    "generate_video",
    () => k3({ params: { duration: "5s" } }),
    ["params.duration must be an integer from 3 to 15"],
  ],
  [
    "kling-3-0 mode ultra",
    "generate_video",
    () => k3({ params: { mode: "ultra" } }),
    ["params.mode must be one of std, pro"],
  ],
  [
    "kling-3-0 aspect 4:3",
    "generate_video",
    () => k3({ params: { aspect_ratio: "4:3" } }),
    ["params.aspect_ratio must be one of 16:9, 9:16, 1:1"],
  ],
  [
    "kling-3-0 sound 'yes'",
    "generate_video",
    () => k3({ params: { sound: "yes" } }),
    ["params.sound must be true or false"],
  ],
  [
    "kling-3-0 multi_shots 1",
    "generate_video",
    () => k3({ params: { multi_shots: 1 } }),
    ["params.multi_shots must be true or false"],
  ],
  [
    "master duration 7",
    "generate_video",
    () => master({ params: { duration: 7 } }),
    ["params.duration must be one of 5, 10 for kling-v2-1-master"],
  ],
  [
    "master cfg_scale 1.5",
    "generate_video",
    () => master({ params: { cfg_scale: 1.5 } }),
    ["params.cfg_scale must be a number from 0 to 1"],
  ],
  [
    "master cfg_scale -0.1",
    "generate_video",
    () => master({ params: { cfg_scale: -0.1 } }),
    ["params.cfg_scale must be a number from 0 to 1"],
  ],
  [
    "master aspect 21:9",
    "generate_video",
    () => master({ params: { aspect_ratio: "21:9" } }),
    ["params.aspect_ratio must be one of"],
  ],
  [
    "master negative_prompt 42",
    "generate_video",
    () => master({ params: { negative_prompt: 42 } }),
    ["params.negative_prompt must be a string"],
  ],
  [
    "kling-3-0 param sent to master",
    "generate_video",
    () => master({ params: { sound: true } }),
    [
      "Unknown params for kling-v2-1-master: sound",
      "Allowed: duration, aspect_ratio, negative_prompt, cfg_scale",
    ],
  ],
  [
    "master param sent to kling-3-0",
    "generate_video",
    () => k3({ params: { cfg_scale: 0.5 } }),
    ["Unknown params for kling-3-0: cfg_scale"],
  ],
  [
    "references inside params",
    "generate_video",
    () => k3({ params: { referenceMediaItems: [img(1)] } }),
    ["pass references as reference_media"],
  ],
  ["params not an object", "generate_video", () => k3({ params: "fast" }), ["params"]],
  [
    "three images for kling-3-0",
    "generate_video",
    () => k3({ reference_media: [img(1), img(2), img(3)] }),
    ["3 items", "at most 2"],
  ],
  [
    "two images for master",
    "generate_video",
    () => master({ reference_media: [img(1), img(2)] }),
    ["2 items", "at most 1"],
  ],
  [
    "video reference for an image-only model",
    "generate_video",
    () => k3({ reference_media: [{ url: "https://cdn.example.com/a.mp4", kind: "video" }] }),
    ["reference_media[].kind must be image"],
  ],
  [
    "gif reference",
    "generate_video",
    () => k3({ reference_media: [{ ...img(1), mimeType: "image/gif" }] }),
    ["image/gif", "image/jpeg, image/png, image/webp"],
  ],
  [
    "reference url not a url",
    "generate_video",
    () => k3({ reference_media: [{ url: "frame.png", kind: "image" }] }),
    ["url returned by upload_reference"],
  ],
  [
    "max_credits below the cost",
    "generate_video",
    () => k3({ max_credits: 50 }),
    ["costs 90 credits, above max_credits 50"],
  ],
  ["wait_seconds 120", "generate_video", () => k3({ wait_seconds: 120 }), ["wait_seconds"]],
  [
    "client_request_id too long",
    "generate_video",
    () => k3({ client_request_id: "x".repeat(200) }),
    ["client_request_id"],
  ],
  ["dry_run not a boolean", "generate_video", () => k3({ dry_run: "yes" }), ["dry_run"]],
  [
    "text file posing as a PNG",
    "upload_reference",
    () => ({ model: "kling-3-0", path: join(h.dir, "notes.png") }),
    ["not a recognised image", "image/jpeg, image/png, image/webp"],
  ],
  [
    "11 MB image",
    "upload_reference",
    () => ({ model: "kling-3-0", path: join(h.dir, "huge.png") }),
    ["up to 10 MB"],
  ],
  [
    "PDF as base64",
    "upload_reference",
    () => ({ model: "kling-v2-1-master", base64: pdfBytes().toString("base64") }),
    ["application/pdf", "image/png"],
  ],
  [
    "path outside the allowed folders",
    "upload_reference",
    () => ({ model: "kling-3-0", path: join(outside, "secret.png") }),
    ["outside the folders", "--allow-dir"],
  ],
  [
    "symlink escaping the allowed folder",
    "upload_reference",
    () => ({ model: "kling-3-0", path: join(h.dir, "link.png") }),
    ["outside the folders"],
  ],
  [
    "/etc/passwd",
    "upload_reference",
    () => ({ model: "kling-3-0", path: "/etc/passwd" }),
    ["outside the folders"],
  ],
  [
    "missing file",
    "upload_reference",
    () => ({ model: "kling-3-0", path: join(h.dir, "nope.png") }),
    ["does not exist"],
  ],
  [
    "file:// URL",
    "upload_reference",
    () => ({ model: "kling-3-0", url: "file:///etc/passwd" }),
    ["must use https"],
  ],
  [
    "http:// URL",
    "upload_reference",
    () => ({ model: "kling-3-0", url: "http://example.com/a.png" }),
    ["must use https"],
  ],
  [
    "loopback URL",
    "upload_reference",
    () => ({ model: "kling-3-0", url: "https://127.0.0.1/a.png" }),
    ["private, loopback or reserved"],
  ],
  [
    "cloud metadata URL",
    "upload_reference",
    () => ({ model: "kling-3-0", url: "https://169.254.169.254/latest/meta-data" }),
    ["private, loopback or reserved"],
  ],
  [
    "localhost URL",
    "upload_reference",
    () => ({ model: "kling-3-0", url: "https://localhost/a.png" }),
    ["private, loopback or reserved"],
  ],
  [
    "IPv6 loopback URL",
    "upload_reference",
    () => ({ model: "kling-3-0", url: "https://[::1]/a.png" }),
    ["private, loopback or reserved"],
  ],
  [
    "two sources at once",
    "upload_reference",
    () => ({ model: "kling-3-0", path: join(h.dir, "a.png"), base64: "AAAA" }),
    ["exactly one of path, url or base64"],
  ],
  [
    "no source",
    "upload_reference",
    () => ({ model: "kling-3-0" }),
    ["exactly one of path, url or base64"],
  ],
  [
    "invalid base64",
    "upload_reference",
    () => ({ model: "kling-3-0", base64: "%%% not base64 %%%" }),
    ["not valid base64"],
  ],
  [
    "upload for an unknown model",
    "upload_reference",
    () => ({ model: "veo", base64: pngBytes().toString("base64") }),
    ["model"],
  ],
  ["download without a task id", "get_task", () => ({ download: true }), ["need a task_id"]],
];

describe("bad inputs cost nothing and say how to fix them", () => {
  it(`has at least 30 cases (${cases.length})`, () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  for (const [name, tool, args, mustSay] of cases) {
    it(name, async () => {
      const result = await h.call(tool, args());
      expect(result.isError, textOf(result)).toBe(true);
      const text = textOf(result);
      if (process.env.SHOW_ERRORS) console.log(`${name}: ${text}`);
      for (const phrase of mustSay) expect(text).toContain(phrase);
      expect(text).not.toMatch(/\n\s+at |node_modules|\.ts:\d+/); // never a stack trace
      expect(text).not.toContain(h.apiKey);
    });
  }

  it("the simulator recorded no generation, no upload and no credits spent for the whole catalogue", () => {
    const paid = h.sim.requests.filter((r) => r.method === "POST");
    expect(paid).toEqual([]);
    expect(h.sim.stats()).toMatchObject({ tasksCreated: 0, creditsCharged: 0, filesUploaded: 0 });
    expect(h.sim.balance(h.apiKey)).toBe(1000);
  });
});
