/**
 * The catalogue of bad inputs: every one must come back as an isError result that names
 * the problem and the fix, and none may reach Rivya's paid or upload endpoints.
 */
import { mkdir, rm, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MODELS } from "../../src/providers/index.js";
import { largePngBytes, pdfBytes, pngBytes, textBytes } from "../fixtures/images.js";
import { type Harness, startHarness, textOf } from "../helpers/harness.js";

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

/**
 * Each case names what the message must say: the field, the values it allows (mustSay), and
 * the next step (next). Every message is also checked for zod's own wording.
 */
type Case = [
  name: string,
  tool: string,
  args: () => Record<string, unknown>,
  mustSay: string[],
  next: string,
];

const FIX = "Fix it and call again; nothing was spent";
const K3_PARAMS = "mode, multi_shots, duration, sound, aspect_ratio";
/** Every model id, as unknown-model messages list them. */
const MODEL_IDS = MODELS.map((m) => m.id).join(", ");
const UPLOAD_TYPES = "image/jpeg, image/png, image/webp";

const cases: Case[] = [
  [
    "unknown model",
    "generate_video",
    () => ({ model: "sora-9", prompt: "x" }),
    ["Unknown model 'sora-9'", MODEL_IDS],
    "Call list_models",
  ],
  [
    "model by its display name",
    "generate_video",
    () => ({ model: "Kling 3.0", prompt: "x" }),
    ["Unknown model 'Kling 3.0'", MODEL_IDS, "Did you mean kling-3-0?"],
    'Send model: "kling-3-0"',
  ],
  [
    "model id with a typo",
    "generate_video",
    () => ({ model: "kling-v2-1-mastr", prompt: "x" }),
    [MODEL_IDS, "Did you mean kling-v2-1-master?"],
    'Send model: "kling-v2-1-master"',
  ],
  [
    "missing model",
    "generate_video",
    () => ({ prompt: "x" }),
    ["model is required", MODEL_IDS],
    "Call list_models",
  ],
  ["missing prompt", "generate_video", () => ({ model: "kling-3-0" }), ["prompt is required"], FIX],
  ["empty prompt", "generate_video", () => k3({ prompt: "" }), ["prompt must not be empty"], FIX],
  [
    "prompt over 2000 for kling-3-0",
    "generate_video",
    () => k3({ prompt: "a".repeat(2001) }),
    ["prompt is 2001 characters", "at most 2000"],
    "Shorten",
  ],
  [
    "prompt over 5000 for master",
    "generate_video",
    () => master({ prompt: "a".repeat(5001) }),
    ["prompt", "at most 5000"],
    "Shorten",
  ],
  [
    "settings at the top level",
    "generate_video",
    () => k3({ duration: 10, sound: true, aspect_ratio: "9:16" }),
    [
      "duration is a kling-3-0 setting",
      "sound is a kling-3-0 setting",
      "aspect_ratio is a kling-3-0 setting",
    ],
    'send it inside params, e.g. params: {"duration": 10}',
  ],
  [
    "another model's setting at the top level",
    "generate_video",
    () => k3({ cfg_scale: 0.5 }),
    ["cfg_scale is a kling-v2-1-master setting, not a kling-3-0 one", K3_PARAMS],
    "move or remove the others and call again",
  ],
  [
    "an unknown top-level key",
    "generate_video",
    () => k3({ style: "anime" }),
    ["generate_video does not take style", "model, prompt, params, reference_media"],
    "move or remove the others and call again",
  ],
  [
    "kling-3-0 duration 2",
    "generate_video",
    () => k3({ params: { duration: 2 } }),
    ["params.duration must be an integer from 3 to 15 for kling-3-0"],
    FIX,
  ],
  [
    "kling-3-0 duration 16",
    "generate_video",
    () => k3({ params: { duration: 16 } }),
    ["params.duration must be an integer from 3 to 15"],
    FIX,
  ],
  [
    "kling-3-0 duration '5s'",
    "generate_video",
    () => k3({ params: { duration: "5s" } }),
    ["params.duration must be an integer from 3 to 15"],
    FIX,
  ],
  [
    "kling-3-0 mode ultra",
    "generate_video",
    () => k3({ params: { mode: "ultra" } }),
    ["params.mode must be one of std, pro"],
    FIX,
  ],
  [
    "kling-3-0 aspect 4:3",
    "generate_video",
    () => k3({ params: { aspect_ratio: "4:3" } }),
    ["params.aspect_ratio must be one of 16:9, 9:16, 1:1"],
    FIX,
  ],
  [
    "kling-3-0 sound 'yes'",
    "generate_video",
    () => k3({ params: { sound: "yes" } }),
    ["params.sound must be true or false"],
    FIX,
  ],
  [
    "kling-3-0 multi_shots 1",
    "generate_video",
    () => k3({ params: { multi_shots: 1 } }),
    ["params.multi_shots must be true or false"],
    FIX,
  ],
  [
    "master duration 7",
    "generate_video",
    () => master({ params: { duration: 7 } }),
    ["params.duration must be one of 5, 10 for kling-v2-1-master"],
    FIX,
  ],
  [
    "master cfg_scale 1.5",
    "generate_video",
    () => master({ params: { cfg_scale: 1.5 } }),
    ["params.cfg_scale must be a number from 0 to 1"],
    FIX,
  ],
  [
    "master cfg_scale -0.1",
    "generate_video",
    () => master({ params: { cfg_scale: -0.1 } }),
    ["params.cfg_scale must be a number from 0 to 1"],
    FIX,
  ],
  [
    "master aspect 21:9",
    "generate_video",
    () => master({ params: { aspect_ratio: "21:9" } }),
    ["params.aspect_ratio must be one of 16:9, 9:16, 1:1"],
    FIX,
  ],
  [
    "master negative_prompt 42",
    "generate_video",
    () => master({ params: { negative_prompt: 42 } }),
    ["params.negative_prompt must be a string"],
    FIX,
  ],
  [
    "kling-3-0 param sent to master",
    "generate_video",
    () => master({ params: { sound: true } }),
    [
      "Unknown params for kling-v2-1-master: sound",
      "Allowed: duration, aspect_ratio, negative_prompt, cfg_scale",
    ],
    FIX,
  ],
  [
    "master param sent to kling-3-0",
    "generate_video",
    () => k3({ params: { cfg_scale: 0.5 } }),
    ["Unknown params for kling-3-0: cfg_scale", K3_PARAMS],
    FIX,
  ],
  [
    "references inside params",
    "generate_video",
    () => k3({ params: { referenceMediaItems: [img(1)] } }),
    ["referenceMediaItems", K3_PARAMS],
    "pass references as reference_media",
  ],
  [
    "params not an object",
    "generate_video",
    () => k3({ params: "fast" }),
    ["params must be an object", '{"duration": 10}'],
    "list_models shows each model's settings",
  ],
  [
    "three images for kling-3-0",
    "generate_video",
    () => k3({ reference_media: [img(1), img(2), img(3)] }),
    ["reference_media has 3 items", "at most 2"],
    "Remove 1",
  ],
  [
    "two images for master",
    "generate_video",
    () => master({ reference_media: [img(1), img(2)] }),
    ["reference_media has 2 items", "at most 1"],
    "Remove 1",
  ],
  [
    "video reference for an image-only model",
    "generate_video",
    () => k3({ reference_media: [{ url: "https://cdn.example.com/a.mp4", kind: "video" }] }),
    ["reference_media[].kind must be image"],
    "pass the item upload_reference returns",
  ],
  [
    "gif reference",
    "generate_video",
    () => k3({ reference_media: [{ ...img(1), mimeType: "image/gif" }] }),
    ["reference_media[0].mimeType image/gif", UPLOAD_TYPES],
    "use image/jpeg",
  ],
  [
    "reference url not a url",
    "generate_video",
    () => k3({ reference_media: [{ url: "frame.png", kind: "image" }] }),
    ["reference_media[].url must be the https url returned by upload_reference"],
    "upload the file with upload_reference first",
  ],
  [
    "plain http reference url",
    "generate_video",
    () => k3({ reference_media: [{ url: "http://example.com/a.png", kind: "image" }] }),
    ["reference_media[].url must be the https url"],
    "upload the file with upload_reference first",
  ],
  [
    "plain http reference url on loopback that is not the upstream",
    "generate_video",
    () => k3({ reference_media: [{ url: "http://127.0.0.1:9/a.png", kind: "image" }] }),
    ["reference_media[].url must be the https url"],
    "upload the file with upload_reference first",
  ],
  [
    "max_credits below the cost",
    "generate_video",
    () => k3({ max_credits: 50 }),
    ["costs 90 Rivya credits, above max_credits 50 Rivya credits"],
    "Raise max_credits",
  ],
  [
    "max_credits below the cost in a dry run",
    "generate_video",
    () => k3({ max_credits: 50, dry_run: true }),
    ["costs 90 Rivya credits, above max_credits 50 Rivya credits"],
    "Raise max_credits",
  ],
  [
    "negative wait_seconds",
    "generate_video",
    () => k3({ wait_seconds: -1 }),
    ["wait_seconds must be at least 0"],
    FIX,
  ],
  [
    "client_request_id too long",
    "generate_video",
    () => k3({ client_request_id: "x".repeat(200) }),
    ["client_request_id must be at most 128 characters"],
    FIX,
  ],
  [
    "dry_run not a boolean",
    "generate_video",
    () => k3({ dry_run: "yes" }),
    ["dry_run must be true or false"],
    FIX,
  ],
  [
    "max_credits not a number",
    "generate_video",
    () => k3({ max_credits: "lots" }),
    ["max_credits must be a number"],
    FIX,
  ],
  [
    "text file posing as a PNG",
    "upload_reference",
    () => ({ model: "kling-3-0", path: join(h.dir, "notes.png") }),
    ["not a recognised image", UPLOAD_TYPES],
    "Convert it to one of those",
  ],
  [
    "11 MB image",
    "upload_reference",
    () => ({ model: "kling-3-0", path: join(h.dir, "huge.png") }),
    ["The file is 11.0 MB", "up to 10 MB"],
    "Resize or compress it",
  ],
  [
    "PDF as base64",
    "upload_reference",
    () => ({ model: "kling-v2-1-master", base64: pdfBytes().toString("base64") }),
    ["application/pdf", UPLOAD_TYPES],
    "Convert it to one of those",
  ],
  [
    "path outside the allowed folders",
    "upload_reference",
    () => ({ model: "kling-3-0", path: join(outside, "secret.png") }),
    ["outside the folders", "folders this server may read"],
    "--allow-dir",
  ],
  [
    "symlink escaping the allowed folder",
    "upload_reference",
    () => ({ model: "kling-3-0", path: join(h.dir, "link.png") }),
    ["outside the folders", "folders this server may read"],
    "Move the file there",
  ],
  [
    "/etc/passwd",
    "upload_reference",
    () => ({ model: "kling-3-0", path: "/etc/passwd" }),
    ["path /etc/passwd is outside the folders", "folders this server may read"],
    "Move the file there",
  ],
  [
    "missing file",
    "upload_reference",
    () => ({ model: "kling-3-0", path: join(h.dir, "nope.png") }),
    ["does not exist", "Allowed folders:"],
    "Check the path",
  ],
  [
    "file:// URL",
    "upload_reference",
    () => ({ model: "kling-3-0", url: "file:///etc/passwd" }),
    ["url must use https"],
    "for a local file use path",
  ],
  [
    "http:// URL",
    "upload_reference",
    () => ({ model: "kling-3-0", url: "http://example.com/a.png" }),
    ["url must use https"],
    "send base64",
  ],
  [
    "loopback URL",
    "upload_reference",
    () => ({ model: "kling-3-0", url: "https://127.0.0.1/a.png" }),
    ["private, loopback or reserved", "only public https URLs"],
    "send base64",
  ],
  [
    "cloud metadata URL",
    "upload_reference",
    () => ({ model: "kling-3-0", url: "https://169.254.169.254/latest/meta-data" }),
    ["private, loopback or reserved", "only public https URLs"],
    "send base64",
  ],
  [
    "localhost URL",
    "upload_reference",
    () => ({ model: "kling-3-0", url: "https://localhost/a.png" }),
    ["private, loopback or reserved", "only public https URLs"],
    "send base64",
  ],
  [
    "IPv6 loopback URL",
    "upload_reference",
    () => ({ model: "kling-3-0", url: "https://[::1]/a.png" }),
    ["private, loopback or reserved", "only public https URLs"],
    "send base64",
  ],
  [
    "two sources at once",
    "upload_reference",
    () => ({ model: "kling-3-0", path: join(h.dir, "a.png"), base64: "AAAA" }),
    ["path, url or base64"],
    "Give exactly one of",
  ],
  [
    "no source",
    "upload_reference",
    () => ({ model: "kling-3-0" }),
    ["path, url or base64"],
    "Give exactly one of",
  ],
  [
    "invalid base64",
    "upload_reference",
    () => ({ model: "kling-3-0", base64: "%%% not base64 %%%" }),
    ["base64 is not valid base64"],
    "Send the file's bytes as standard base64",
  ],
  [
    "upload for an unknown model",
    "upload_reference",
    () => ({ model: "veo", base64: pngBytes().toString("base64") }),
    ["Unknown model 'veo'", MODEL_IDS],
    "Call list_models",
  ],
  [
    "upload for a near model id",
    "upload_reference",
    () => ({ model: "kling 3", base64: pngBytes().toString("base64") }),
    [MODEL_IDS, "Did you mean kling-3-0?"],
    'Send model: "kling-3-0"',
  ],
  [
    "unknown upload_reference argument",
    "upload_reference",
    () => ({ model: "kling-3-0", file: "a.png" }),
    ["upload_reference does not take file", "model, path, url, base64, filename"],
    "remove the others",
  ],
  [
    "download without a task id",
    "get_task",
    () => ({ download: true }),
    ["wait_seconds and download need a task_id"],
    "call get_task with no arguments",
  ],
  [
    "unknown get_task argument",
    "get_task",
    () => ({ id: "task_1" }),
    ["get_task does not take id", "task_id, wait_seconds, download"],
    "remove the others",
  ],
  [
    "get_task wait_seconds as text",
    "get_task",
    () => ({ task_id: "task_1", wait_seconds: "soon" }),
    ["wait_seconds must be a number"],
    FIX,
  ],
  [
    "unknown list_models argument",
    "list_models",
    () => ({ models: "kling-3-0" }),
    ["list_models does not take models", "Its arguments are model"],
    "remove the others",
  ],
];

/** How zod words its own messages: none of these may reach an agent. */
const ZOD_PHRASES = [
  /Invalid input/,
  /Invalid option/,
  /expected one of/,
  /Too big/,
  /Too small/,
  /expected number to be/,
  /Unrecognized key/,
  /received (undefined|string|number|boolean|object|array)/,
  /Invalid (string|url|union|element|key)/i,
];

describe("bad inputs cost nothing and say how to fix them", () => {
  it(`has at least 30 cases (${cases.length})`, () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  for (const [name, tool, args, mustSay, next] of cases) {
    it(name, async () => {
      const result = await h.call(tool, args());
      expect(result.isError, textOf(result)).toBe(true);
      const text = textOf(result);
      if (process.env.SHOW_ERRORS) console.log(`${name}: ${text}`);
      for (const phrase of mustSay) expect(text).toContain(phrase);
      expect(text).toContain(next);
      for (const phrase of ZOD_PHRASES) expect(text).not.toMatch(phrase);
      expect(text).toMatch(/\[category: invalid_request; retryable: false\]$/);
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
