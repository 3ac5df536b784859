/**
 * EvoLink through the four tools: a real MCP client drives the server, which talks real
 * HTTP to the EvoLink simulator. Storyboard rules are refused before anything is paid, the
 * simulator charges exactly what was quoted, and a create is never sent twice.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pngBytes } from "../fixtures/images.js";
import { type Harness, startHarness, structuredOf, textOf } from "../helpers/harness.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    evolink: { pendingMs: 40, processingMs: 80, rateLimitPerMinute: null, startingCredits: 1e6 },
  });
});
afterAll(() => h.close());

const evo = () => h.evo as NonNullable<Harness["evo"]>;
const charged = () => evo().balance(h.evoKey).used;
let n = 0;
const id = (what: string) => `${what}-${++n}`;

describe("list_models", () => {
  it("names each model's provider, its price basis and each provider's balance", async () => {
    const out = structuredOf(await h.call("list_models"));
    const t2v = out.models.find((m: any) => m.id === "kling-v3-text-to-video");
    expect(t2v).toMatchObject({
      provider: "evolink",
      configured: true,
      base_credits: 27,
      billing_type: "PER_SECOND",
    });
    expect(t2v.price_basis).toContain("5.4 credits/s × 1 (720p, sound off) × 5 s = 27");
    expect(t2v.rules.join(" ")).toContain("adding up exactly to duration");
    const rivya = out.models.find((m: any) => m.id === "kling-3-0");
    expect(rivya).toMatchObject({ provider: "rivya", configured: true });
    expect(out.balances).toEqual([
      expect.objectContaining({ provider: "rivya", credits: 1000 }),
      expect.objectContaining({ provider: "evolink", credits: 1e6, unit: "EvoLink credits" }),
    ]);
  });
});

describe("text-to-video", () => {
  it("quotes, submits, records and polls a task to its video; charged once, as quoted", async () => {
    const args = {
      model: "kling-v3-text-to-video",
      prompt: "A lighthouse at dusk, waves below",
      params: { duration: 10, quality: "1080p", sound: "on", aspect_ratio: "9:16" },
      client_request_id: id("t2v"),
    };
    const dry = structuredOf(await h.call("generate_video", { ...args, dry_run: true }));
    expect(dry.cost).toMatchObject({ credits: 108, unit: "EvoLink credits" });
    expect(dry.cost.basis).toContain("× 2 (1080p, sound on) × 10 s = 108");
    const before = charged();

    const res = await h.call("generate_video", { ...args, wait_seconds: 5 });
    expect(res.isError, textOf(res)).toBeFalsy();
    const out = structuredOf(res);
    expect(out.task).toMatchObject({ status: "succeeded", reserved_credits: 108 });
    expect(out.task.task_id).toMatch(/^task-unified-\d+-[a-z0-9]{8}$/);
    expect(out.task.video_url).toBe(`${evo().url}/results/${out.task.task_id}.mp4`);
    expect(textOf(res)).not.toContain("Note:");
    expect(charged() - before).toBe(108);

    // The same client_request_id returns the recorded task, with no second create.
    const creates = evo().tasks().length;
    const again = structuredOf(await h.call("generate_video", args));
    expect(again).toMatchObject({ replayed: true, task: { task_id: out.task.task_id } });
    expect(evo().tasks().length).toBe(creates);

    const got = structuredOf(await h.call("get_task", { task_id: out.task.task_id }));
    expect(got.task).toMatchObject({ status: "succeeded", final_credits: 108 });
    const entry = await h.store.get("local", out.task.task_id);
    expect(entry).toMatchObject({ provider: "evolink", quote_credits: 108, final_credits: 108 });
  });

  it("sends a timed storyboard and an automatic one; the simulator accepts both", async () => {
    const shots = [
      { prompt: "A wide shot of the city", duration: 3 },
      { prompt: "Close on a face", duration: 4 },
    ];
    const timed = await h.call("generate_video", {
      model: "kling-v3-text-to-video",
      prompt: "A city wakes",
      params: { duration: 7, shots },
      wait_seconds: 5,
    });
    expect(timed.isError, textOf(timed)).toBeFalsy();
    expect(structuredOf(timed).settings).toMatchObject({ duration: 7, shots });
    expect(structuredOf(timed).task).toMatchObject({ status: "succeeded", final_credits: 37.8 });

    const auto = await h.call("generate_video", {
      model: "kling-v3-text-to-video",
      prompt: "A city wakes, in three shots",
      params: { auto_shots: true },
    });
    expect(auto.isError, textOf(auto)).toBeFalsy();
  });
});

describe("image-to-video", () => {
  it("sends the first reference as image_start and the second as image_end", async () => {
    const res = await h.call("generate_video", {
      model: "kling-v3-image-to-video",
      prompt: "The door opens slowly",
      params: { duration: 4 },
      reference_media: [
        { url: "https://example.com/start.png", kind: "image", mimeType: "image/png" },
        { url: "https://example.com/end.jpg", kind: "image", mimeType: "image/jpeg" },
      ],
      wait_seconds: 5,
    });
    expect(res.isError, textOf(res)).toBeFalsy();
    expect(structuredOf(res).task).toMatchObject({ status: "succeeded", final_credits: 21.6 });
  });

  it("refuses a call without a start frame, or with a webp, before anything is paid", async () => {
    const before = evo().tasks().length;
    const none = await h.call("generate_video", {
      model: "kling-v3-image-to-video",
      prompt: "The door opens",
      client_request_id: id("no-frame"),
    });
    expect(none.isError).toBe(true);
    expect(textOf(none)).toContain("needs a start frame");
    // Refused by the table, before the quote: a dry run is refused alike.
    const dry = await h.call("generate_video", {
      model: "kling-v3-image-to-video",
      prompt: "The door opens",
      dry_run: true,
    });
    expect(dry.isError).toBe(true);
    expect(textOf(dry)).toContain("needs a start frame (image_start) in reference_media");
    const webp = await h.call("generate_video", {
      model: "kling-v3-image-to-video",
      prompt: "The door opens",
      reference_media: [
        { url: "https://example.com/a.webp", kind: "image", mimeType: "image/webp" },
      ],
    });
    expect(textOf(webp)).toContain("image/webp is not accepted by kling-v3-image-to-video");
    expect(evo().tasks().length).toBe(before);
    // The refused request left no intent behind.
    expect(await h.store.findByClientRequestId("local", `no-frame-${n}`)).toBeUndefined();
  });
});

describe("storyboard rules are refused locally, with 0 credits spent", () => {
  const shot = (duration: number, prompt = "a shot") => ({ prompt, duration });
  it.each([
    [
      "a sum other than duration",
      { duration: 10, shots: [shot(3), shot(4)] },
      ["add up to 7 s (shot 1: 3 s, shot 2: 4 s) but duration is 10 s"],
    ],
    [
      "7 shots",
      { duration: 7, shots: Array(7).fill(shot(1)) },
      ["params.shots must be a list of 1 to 6 items"],
    ],
    [
      "a 513-character shot prompt",
      { duration: 5, shots: [shot(5, "x".repeat(513))] },
      ["params.shots[0].prompt must be a string of at most 512 characters"],
    ],
    [
      "a 0 s shot",
      { duration: 5, shots: [shot(5), shot(0)] },
      ["params.shots[1].duration must be a number from 1 to 15"],
    ],
    [
      "a shot of part of a second",
      { duration: 5, shots: [shot(2.5), shot(2.5)] },
      ["params.shots[0] (shot 1) lasts 2.5 s; EvoLink takes whole seconds."],
    ],
    [
      "shots together with auto_shots",
      { duration: 5, shots: [shot(5)], auto_shots: true },
      ["params.shots and params.auto_shots: true cannot be used together"],
    ],
  ])("%s", async (_what, params, expected) => {
    const before = { tasks: evo().tasks().length, used: charged() };
    const res = await h.call("generate_video", {
      model: "kling-v3-text-to-video",
      prompt: "A story",
      params,
    });
    expect(res.isError).toBe(true);
    for (const e of expected) expect(textOf(res)).toContain(e);
    expect({ tasks: evo().tasks().length, used: charged() }).toEqual(before);
  });
});

describe("quotes walk the whole price table", () => {
  // The product page's per-second prices (evolink-api.md §11), written out, not computed.
  const perSecond: Record<string, number> = {
    "720p/off": 5.4,
    "720p/on": 8.1,
    "1080p/off": 7.1982,
    "1080p/on": 10.8,
  };
  const rows = Object.keys(perSecond).flatMap((k) =>
    Array.from({ length: 13 }, (_, i) => [k, i + 3] as const),
  );

  it("every quality × sound × duration 3–15 is quoted by the formula and charged as quoted", async () => {
    for (const [key, duration] of rows) {
      const [quality, sound] = key.split("/") as [string, string];
      const want = Math.round((perSecond[key] as number) * duration * 10_000) / 10_000;
      const args = {
        model: "kling-v3-text-to-video",
        prompt: "A clock ticking",
        params: { duration, quality, sound },
      };
      const dry = structuredOf(await h.call("generate_video", { ...args, dry_run: true }));
      expect(dry.cost.credits, `${key} ${duration} s`).toBe(want);
      const before = charged();
      const res = structuredOf(await h.call("generate_video", args));
      expect(res.task.reserved_credits, `${key} ${duration} s`).toBe(want);
      const task = evo()
        .tasks()
        .find((t) => t.id === res.task.task_id);
      expect(task?.price, `${key} ${duration} s`).toBe(want);
      expect(Math.round((charged() - before) * 10_000) / 10_000).toBe(want);
    }
  });
});

describe("4k, which has no published price", () => {
  let k: Harness;
  beforeAll(async () => {
    // The simulator charges 4k at × 5, above the × 4 the quote guesses.
    k = await startHarness({ evolink: { multiplier4k: 5, pendingMs: 20, processingMs: 40 } });
  });
  afterAll(() => k.close());
  const args = {
    model: "kling-v3-text-to-video",
    prompt: "A glacier, very sharp",
    params: { quality: "4k" },
  };

  it("is refused without max_credits, and without the person's yes, before anything is paid", async () => {
    const bare = await k.call("generate_video", args);
    expect(bare.isError).toBe(true);
    expect(textOf(bare)).toContain("no published price: 108 EvoLink credits is an estimate");
    expect(textOf(bare)).toContain("Pass max_credits");
    const unconfirmed = await k.call("generate_video", { ...args, max_credits: 200 });
    expect(unconfirmed.isError).toBe(true);
    expect(textOf(unconfirmed)).toContain("call again with confirm: true");
    expect(k.evo?.tasks()).toEqual([]);
  });

  it("with max_credits and confirm, is sent; a charge other than the estimate is reported and quoted next time", async () => {
    const dry = structuredOf(await k.call("generate_video", { ...args, dry_run: true }));
    expect(dry.cost.basis).toContain("an estimate: EvoLink publishes no 4k price");
    const res = await k.call("generate_video", { ...args, max_credits: 200, confirm: true });
    expect(res.isError, textOf(res)).toBeFalsy();
    expect(structuredOf(res).task.reserved_credits).toBe(135);
    expect(textOf(res)).toContain("EvoLink reserved 135 credits, not the 108 quoted");
    const next = structuredOf(await k.call("generate_video", { ...args, dry_run: true }));
    expect(next.cost.credits).toBe(135);
  });
});

describe("without an EvoLink key", () => {
  let bare: Harness;
  beforeAll(async () => {
    bare = await startHarness();
  });
  afterAll(() => bare.close());

  it("lists EvoLink's models as not configured, in a field and in the text", async () => {
    const res = await bare.call("list_models");
    const out = structuredOf(res);
    const t2v = out.models.find((m: any) => m.id === "kling-v3-text-to-video");
    expect(t2v).toMatchObject({ provider: "evolink", configured: false });
    expect(out.balances[1]).toMatchObject({ provider: "evolink", configured: false });
    expect(textOf(res)).toContain("(Kling V3 Text to Video, EvoLink, not configured: no API key)");
    expect(textOf(res)).toContain("EvoLink is not configured (no API key): balance unknown.");
    // Rivya's balance still leads, as before.
    expect(out.credit_balance).toBe(1000);
  });

  it("upload_reference for an EvoLink model refuses clearly, naming the missing key", async () => {
    const res = await bare.call("upload_reference", {
      model: "kling-v3-image-to-video",
      base64: pngBytes({ width: 400, height: 400 }).toString("base64"),
    });
    expect(res.isError).toBe(true);
    expect(textOf(res)).toContain("EVOLINK_API_KEY");
  });
});
