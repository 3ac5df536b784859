/**
 * The EvoLink simulator driven by the EvoLink client over real HTTP (evolink-api.md §15):
 * the whole price table, each synchronous validation rule, the task lifecycle on an injected
 * clock, result links that expire after 24 h, callbacks and their retry schedule, bounds.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createEvolinkClient, type EvolinkClient } from "../../src/providers/evolink/client.js";
import {
  EvolinkInsufficientQuotaError,
  EvolinkModelAccessError,
  EvolinkNotFoundError,
  EvolinkValidationError,
} from "../../src/providers/evolink/errors.js";
import {
  type EvolinkSimulator,
  type EvolinkSimulatorOptions,
  startEvolinkSimulator,
} from "../../src/providers/evolink/simulator/index.js";
import type { EvolinkCreateBody } from "../../src/providers/evolink/types.js";
import { pngBytes, webpBytes } from "../fixtures/images.js";

const KEY = "sk-evo-sim-test-KEY-0123456789";
const OTHER = "sk-evo-sim-test-OTHER-0123456789";
const T2V = "kling-v3-text-to-video";
const I2V = "kling-v3-image-to-video";
const HOUR = 3600_000;
const noSleep = async () => {};

/** Per-second prices of the product page table (evolink-api.md §11), not the code's own. */
const PER_SECOND: Record<string, number> = {
  "720p off": 5.4,
  "720p on": 8.1,
  "1080p off": 7.1982,
  "1080p on": 10.8,
};
const expected = (perSecond: number, duration: number) =>
  Math.round(perSecond * duration * 10_000) / 10_000;

let clock = Date.UTC(2026, 0, 1);
const sims: EvolinkSimulator[] = [];
const clients: EvolinkClient[] = [];

async function start(opts: EvolinkSimulatorOptions = {}, key = KEY) {
  const sim = await startEvolinkSimulator({
    now: () => clock,
    pendingMs: 1000,
    processingMs: 2000,
    ...opts,
  });
  sims.push(sim);
  const client = createEvolinkClient({
    apiKey: key,
    baseUrl: sim.url,
    filesUrl: sim.url,
    sleep: noSleep,
  });
  clients.push(client);
  return { sim, client };
}

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all(sims.map((s) => s.close()));
});

const t2v = (extra: Partial<EvolinkCreateBody> = {}): EvolinkCreateBody => ({
  model: T2V,
  prompt: "a red kite over the sea",
  ...extra,
});

describe("prices", () => {
  it("reserves 5.4 × multiplier × duration for every quality × sound cell and 3–15 s", async () => {
    const { sim, client } = await start({
      rateLimitPerMinute: null,
      accounts: [{ key: KEY, credits: 1e6 }],
    });
    let cells = 0;
    for (const [cell, perSecond] of Object.entries(PER_SECOND)) {
      const [quality, sound] = cell.split(" ") as [string, "on" | "off"];
      for (let duration = 3; duration <= 15; duration++) {
        const before = sim.balance(KEY).remaining;
        const task = await client.createVideo(t2v({ quality, sound, duration }));
        const price = expected(perSecond, duration);
        expect(task.creditsReservedRaw, `${cell} ${duration}s`).toBe(price);
        expect(sim.balance(KEY).remaining).toBeCloseTo(before - price, 4);
        cells++;
      }
    }
    expect(cells).toBe(52);
    expect(sim.tasks()).toHaveLength(52);
  });

  it("prices 4k at 4 × 5.4 per second by default, and at the configured multiplier", async () => {
    const { client } = await start();
    const task = await client.createVideo(t2v({ quality: "4k", duration: 5 }));
    expect(task.creditsReservedRaw).toBe(108);
    const custom = await start({ multiplier4k: 3 });
    const priced = await custom.client.createVideo(
      t2v({ quality: "4k", duration: 10, sound: "on" }),
    );
    expect(priced.creditsReservedRaw).toBe(162);
  });

  it("refuses a create the balance cannot cover with 402 insufficient_quota, charging nothing", async () => {
    const { sim, client } = await start({ startingCredits: 20 });
    const err = await client.createVideo(t2v({ duration: 5 })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EvolinkInsufficientQuotaError);
    expect((err as EvolinkInsufficientQuotaError).createOutcome).toBe("certainly_not");
    expect(sim.balance(KEY).remaining).toBe(20);
    expect(sim.tasks()).toHaveLength(0);
  });
});

describe("synchronous validation", () => {
  const shot = (index: number, duration: string, prompt = `shot ${index}`) => ({
    index,
    prompt,
    duration,
  });
  const story = (shots: unknown, extra: Record<string, unknown> = {}) => ({
    model_params: { multi_shot: true, shot_type: "customize", multi_prompt: shots, ...extra },
  });
  const cases: [string, Record<string, unknown>, string][] = [
    ["an unknown model", { model: "kling-v9" }, "model"],
    ["a missing prompt", { prompt: undefined }, "prompt"],
    ["a 2501-character prompt", { prompt: "x".repeat(2501) }, "prompt"],
    ["a 2 s duration", { duration: 2 }, "duration"],
    ["a 16 s duration", { duration: 16 }, "duration"],
    ["a 5.5 s duration", { duration: 5.5 }, "duration"],
    ["a duration given as a string", { duration: "5" }, "duration"],
    ["quality 8k", { quality: "8k" }, "quality"],
    ["sound true (not on/off)", { sound: true }, "sound"],
    ["aspect ratio 4:3", { aspect_ratio: "4:3" }, "aspect_ratio"],
    [
      "shots not adding up",
      { duration: 10, ...story([shot(1, "5"), shot(2, "4")]) },
      "model_params.multi_prompt",
    ],
    [
      "7 shots",
      { duration: 14, ...story([1, 2, 3, 4, 5, 6, 7].map((i) => shot(i, "2"))) },
      "model_params.multi_prompt",
    ],
    ["no shots", { ...story([]) }, "model_params.multi_prompt"],
    [
      "a 513-character shot prompt",
      { ...story([shot(1, "5", "y".repeat(513))]) },
      "model_params.multi_prompt[0].prompt",
    ],
    [
      "a 0 s shot",
      { ...story([shot(1, "0"), shot(2, "5")]) },
      "model_params.multi_prompt[0].duration",
    ],
    [
      "a shot duration as a number",
      { ...story([shot(1, 5 as unknown as string)]) },
      "model_params.multi_prompt[0].duration",
    ],
    ["shots indexed from 0", { ...story([shot(0, "5")]) }, "model_params.multi_prompt[0].index"],
    [
      "a shot type of 'auto'",
      { model_params: { multi_shot: true, shot_type: "auto" } },
      "model_params.shot_type",
    ],
    ["an http callback", { callback_url: "http://example.com/hook" }, "callback_url"],
    ["a private callback", { callback_url: "https://192.168.1.5/hook" }, "callback_url"],
    ["a loopback callback", { callback_url: "https://127.0.0.1/hook" }, "callback_url"],
    [
      "a 2049-character callback",
      { callback_url: `https://example.com/${"a".repeat(2029)}` },
      "callback_url",
    ],
  ];

  it.each(cases)(
    "refuses %s with 400 invalid_request naming the field",
    async (_what, change, param) => {
      const { sim, client } = await start();
      const body = { ...t2v(), ...change } as EvolinkCreateBody;
      const err = await client.createVideo(body).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(EvolinkValidationError);
      const e = err as EvolinkValidationError;
      expect([e.status, e.code, e.type, e.param]).toEqual([
        400,
        "invalid_request",
        "invalid_request_error",
        param,
      ]);
      expect(e.message).toContain(`field: ${param}`);
      expect(e.createOutcome).toBe("certainly_not");
      expect(sim.balance(KEY).used).toBe(0);
    },
  );

  it("accepts a storyboard whose shots add up, with an empty top-level prompt", async () => {
    const { client } = await start();
    const body = { ...t2v({ prompt: "", duration: 10 }), ...story([shot(1, "5"), shot(2, "5")]) };
    const task = await client.createVideo(body);
    expect(task.status).toBe("pending");
    const auto = { ...t2v(), model_params: { multi_shot: true, shot_type: "intelligence" } };
    expect((await client.createVideo(auto)).status).toBe("pending");
  });

  it("image to video needs an http(s) image_start and ignores aspect_ratio unless strict", async () => {
    const { client } = await start();
    const missing = await client.createVideo({ model: I2V, prompt: "p" }).catch((e: unknown) => e);
    expect((missing as EvolinkValidationError).param).toBe("image_start");
    const data = await client
      .createVideo({ model: I2V, image_start: "data:image/png;base64,AAAA" })
      .catch((e: unknown) => e);
    expect((data as EvolinkValidationError).param).toBe("image_start");
    const badEnd = {
      model: I2V,
      image_start: "https://x.test/a.png",
      image_end: "ftp://x.test/b.png",
    };
    expect(
      ((await client.createVideo(badEnd).catch((e: unknown) => e)) as EvolinkValidationError).param,
    ).toBe("image_end");
    const ok = { model: I2V, image_start: "https://x.test/a.png", aspect_ratio: "16:9" };
    expect((await client.createVideo(ok)).model).toBe(I2V);
    const strict = await start({ strict: true });
    const refused = await strict.client.createVideo(ok).catch((e: unknown) => e);
    expect((refused as EvolinkValidationError).param).toBe("aspect_ratio");
  });
});

describe("tasks", () => {
  it("walks pending → processing (progress rising) → completed on the clock, with a served MP4", async () => {
    const { client } = await start();
    const created = await client.createVideo(t2v());
    expect(created.id).toMatch(/^task-unified-\d+-[a-z0-9]{8}$/);
    expect(created.id.split("-")[2]).toBe(String(Math.floor(clock / 1000)));
    expect(created.createdAtMs).toBe(Math.floor(clock / 1000) * 1000);
    expect([created.status, created.progress, created.canCancel]).toEqual(["pending", 0, true]);
    const seen: number[] = [];
    for (let i = 0; i < 3; i++) {
      clock += 600;
      const t = await client.getTask(created.id);
      if (t.status === "processing") seen.push(t.progress);
    }
    expect(seen.length).toBeGreaterThan(1);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(seen[seen.length - 1]).toBeGreaterThan(seen[0] as number);
    clock += 2000;
    const done = await client.getTask(created.id);
    expect([done.status, done.progress, done.canCancel]).toEqual(["completed", 100, false]);
    expect(done.results).toHaveLength(1);
    const res = await fetch(done.results[0] as string);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("video/mp4");
    expect(
      Buffer.from(await res.arrayBuffer())
        .subarray(4, 8)
        .toString("latin1"),
    ).toBe("ftyp");
  });

  it("fails [sim:fail] and [sim:reject] tasks with their codes and refunds them in full", async () => {
    const { sim, client } = await start();
    const fail = await client.createVideo(t2v({ prompt: "a cat [sim:fail]" }));
    const reject = await client.createVideo(t2v({ prompt: "a cat [sim:reject]", duration: 10 }));
    expect(sim.balance(KEY).used).toBe(81);
    clock += 3000;
    const [f, r] = await Promise.all([client.getTask(fail.id), client.getTask(reject.id)]);
    expect([f.status, f.error?.code, f.error?.type]).toEqual([
      "failed",
      "generation_failed_no_content",
      "task_error",
    ]);
    expect([r.status, r.error?.code]).toEqual(["failed", "content_policy_violation"]);
    expect(f.results).toEqual([]);
    expect(sim.balance(KEY)).toEqual({ remaining: 1000, used: 0 });
  });

  it("fails an image task whose frame is missing or a webp on its Files API, refunding it", async () => {
    const { sim, client } = await start();
    const png = await client.uploadBase64(pngBytes({ width: 320, height: 320 }).toString("base64"));
    const webp = await client.uploadBase64(webpBytes().toString("base64"));
    const gone = `${sim.url}/files/file_missing/a.png`;
    const ok = await client.createVideo({ model: I2V, image_start: png.fileUrl });
    const bad = await client.createVideo({
      model: I2V,
      image_start: png.fileUrl,
      image_end: webp.fileUrl,
    });
    const lost = await client.createVideo({ model: I2V, image_start: gone });
    clock += 3000;
    const ended = await Promise.all([ok, bad, lost].map((t) => client.getTask(t.id)));
    expect(ended.map((t) => [t.status, t.error?.code])).toEqual([
      ["completed", undefined],
      ["failed", "invalid_parameters"],
      ["failed", "image_processing_error"],
    ]);
    expect(sim.balance(KEY).used).toBe(27);
  });

  it("a test hook fails a running task with request_cancelled", async () => {
    const { sim, client } = await start();
    const t = await client.createVideo(t2v());
    sim.failTask(t.id, "request_cancelled");
    clock += 3000;
    expect((await client.getTask(t.id)).error?.code).toBe("request_cancelled");
  });

  it("answers 400 invalid_task_id, 404 task_not_found and 403 permission_denied", async () => {
    const { client } = await start();
    const other = createEvolinkClient({
      apiKey: OTHER,
      baseUrl: sims.at(-1)?.url as string,
      sleep: noSleep,
    });
    clients.push(other);
    const bad = await client.getTask("task-abc").catch((e: unknown) => e);
    expect([(bad as EvolinkValidationError).code, (bad as EvolinkValidationError).param]).toEqual([
      "invalid_task_id",
      "task_id",
    ]);
    const missing = await client
      .getTask("task-unified-1757169743-zzzzzzzz")
      .catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(EvolinkNotFoundError);
    const mine = await client.createVideo(t2v());
    const theirs = await other.getTask(mine.id).catch((e: unknown) => e);
    expect(theirs).toBeInstanceOf(EvolinkModelAccessError);
    expect((theirs as EvolinkModelAccessError).code).toBe("permission_denied");
  });

  it("refuses a model a restricted key may not use with 403 model_access_denied", async () => {
    const { client } = await start({ accounts: [{ key: KEY, models: [T2V] }] });
    const err = await client
      .createVideo({ model: I2V, image_start: "https://x.test/a.png" })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EvolinkModelAccessError);
    expect((err as EvolinkModelAccessError).code).toBe("model_access_denied");
    expect((await client.createVideo(t2v())).status).toBe("pending");
  });

  it("a completed task's link serves for 24 h after completion on the injected clock, then stops", async () => {
    const { client } = await start();
    const t = await client.createVideo(t2v());
    clock += 3000;
    const url = (await client.getTask(t.id)).results[0] as string;
    clock += 24 * HOUR - 1;
    expect((await fetch(url)).status).toBe(200);
    clock += 1;
    const expired = await fetch(url);
    expect(expired.status).toBe(410);
    expect(await expired.text()).toContain("expired");
    expect((await client.getTask(t.id)).status).toBe("completed");
  });

  it("an uploaded file serves for 72 h on the clock; an image task given it later fails", async () => {
    const { client } = await start();
    const file = await client.uploadBase64(
      pngBytes({ width: 320, height: 320 }).toString("base64"),
    );
    clock += 72 * HOUR - 1;
    expect((await fetch(file.fileUrl)).status).toBe(200);
    clock += 1;
    expect((await fetch(file.fileUrl)).status).toBe(410);
    const task = await client.createVideo({ model: I2V, image_start: file.fileUrl });
    clock += 3000;
    expect((await client.getTask(task.id)).error?.code).toBe("image_processing_error");
  });

  it("reports key and account balances on /v1/credits, after charges and refunds", async () => {
    const { client } = await start({ startingCredits: 500 });
    await client.createVideo(t2v({ duration: 10, quality: "1080p", sound: "on" }));
    await client.createVideo(t2v({ prompt: "[sim:fail]", duration: 3 }));
    clock += 3000;
    const credits = await client.getCredits();
    expect(credits.token).toEqual({ remainingCredits: 392, usedCredits: 108, unlimited: false });
    expect(credits.user).toEqual({ remainingCredits: 392, usedCredits: 108, unlimited: undefined });
  });

  it("keeps at most limits.tasks tasks: the oldest finished ones go", async () => {
    const { sim, client } = await start({ limits: { tasks: 5 } });
    for (let i = 0; i < 12; i++) {
      await client.createVideo(t2v());
      clock += 3000;
      sim.tick();
    }
    expect(sim.retained().tasks).toBeLessThanOrEqual(5);
  });

  it("keeps request records, callback records, files and their bytes under their limits", async () => {
    const png = pngBytes({ width: 300, height: 300 });
    const { sim, client } = await start({
      limits: { requestRecords: 5, fileBytes: png.length * 2, files: 50 },
    });
    for (let i = 0; i < 4; i++) await client.uploadBase64(png.toString("base64"));
    for (let i = 0; i < 6; i++) await client.getCredits();
    const kept = sim.retained();
    expect(sim.requests).toHaveLength(5);
    expect([kept.requestRecords, kept.files, kept.fileBytes]).toEqual([5, 2, png.length * 2]);
  });

  it("limits creates per model with 429 rate_limit_exceeded and no Retry-After by default", async () => {
    const { client } = await start({ rateLimitPerMinute: 2 });
    await client.createVideo(t2v());
    await client.createVideo(t2v());
    const err = await client.createVideo(t2v()).catch((e: unknown) => e);
    expect((err as EvolinkValidationError).code).toBe("rate_limit_exceeded");
    expect((err as EvolinkValidationError).retryAfterSeconds).toBeUndefined();
    expect(
      (await client.createVideo({ model: I2V, image_start: "https://x.test/a.png" })).status,
    ).toBe("pending");
    clock += 30_000; // one token back
    expect((await client.createVideo(t2v())).status).toBe("pending");
  });
});

describe("callbacks", () => {
  let receiver: Server;
  let receiverUrl: string;
  const bodies: unknown[] = [];
  let answers: number[] = [];

  beforeAll(async () => {
    receiver = createServer((req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        bodies.push({
          method: req.method,
          type: req.headers["content-type"],
          json: JSON.parse(Buffer.concat(chunks).toString()),
        });
        const status = answers.shift() ?? 200;
        if (status === 0) return; // never answers: the sender's timeout must end the attempt
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  });
  afterAll(async () => {
    receiver.closeAllConnections();
    await new Promise((r) => receiver.close(r));
  });
  afterEach(() => {
    bodies.length = 0;
    answers = [];
  });

  const until = async (check: () => boolean) => {
    while (!check()) await new Promise((r) => setTimeout(r, 10));
  };
  const schedule = {
    allowLoopbackCallbacks: true,
    callbackRetryDelaysMs: [20, 40, 80],
    callbackTimeoutMs: 300,
  };

  it("refuses a loopback http callback unless the explicit option allows it", async () => {
    const { client } = await start();
    const err = await client
      .createVideo(t2v({ callback_url: receiverUrl }))
      .catch((e: unknown) => e);
    expect((err as EvolinkValidationError).param).toBe("callback_url");
  });

  it("POSTs the task-detail body when a task ends, retrying non-2xx on the schedule until a 2xx", async () => {
    const { sim, client } = await start(schedule);
    answers = [500, 503, 204];
    const t = await client.createVideo(t2v({ callback_url: receiverUrl }));
    clock += 3000;
    sim.tick();
    await until(() => sim.callbacks.length === 3);
    expect(sim.callbacks.map((a) => [a.attempt, a.status, a.delayBeforeMs])).toEqual([
      [1, 500, 0],
      [2, 503, 20],
      [3, 204, 40],
    ]);
    expect(bodies).toHaveLength(3);
    const first = bodies[0] as { method: string; type: string; json: Record<string, unknown> };
    expect([first.method, first.type]).toEqual(["POST", "application/json"]);
    expect(first.json).toEqual(await client.getTask(t.id).then((x) => x.raw));
    expect(first.json.status).toBe("completed");
  });

  it("stops after 3 retries (4 attempts), and a hung receiver is cut off by the timeout", async () => {
    const { sim, client } = await start(schedule);
    answers = [0, 500, 500, 500, 200];
    await client.createVideo(t2v({ prompt: "[sim:reject]", callback_url: receiverUrl }));
    clock += 3000;
    sim.tick();
    await until(() => sim.callbacks.length === 4);
    await new Promise((r) => setTimeout(r, 200)); // a fifth attempt would have come by now
    expect(sim.callbacks.map((a) => [a.attempt, a.status, a.delayBeforeMs])).toEqual([
      [1, 0, 0],
      [2, 500, 20],
      [3, 500, 40],
      [4, 500, 80],
    ]);
    const json = (bodies[0] as { json: { status: string; error: { code: string } } }).json;
    expect([json.status, json.error.code]).toEqual(["failed", "content_policy_violation"]);
  });

  it("sends the callback when a task ends on the real clock, with no request to prompt it", async () => {
    const sim = await startEvolinkSimulator({ ...schedule, pendingMs: 0, processingMs: 50 });
    sims.push(sim);
    const client = createEvolinkClient({ apiKey: KEY, baseUrl: sim.url });
    clients.push(client);
    const t = await client.createVideo(t2v({ callback_url: receiverUrl }));
    const before = sim.requests.length;
    await until(() => sim.callbacks.length === 1);
    expect(sim.requests.length).toBe(before);
    expect(sim.callbacks[0]).toMatchObject({ taskId: t.id, status: 200, attempt: 1 });
  });

  it("uses EvoLink's documented schedule by default: 1, 2 and 4 s", async () => {
    const { sim, client } = await start({ allowLoopbackCallbacks: true });
    answers = [500];
    await client.createVideo(t2v({ callback_url: receiverUrl }));
    clock += 3000;
    sim.tick();
    await until(() => sim.callbacks.length === 2);
    expect(sim.callbacks.map((a) => a.delayBeforeMs)).toEqual([0, 1000]);
  });
});
