/**
 * The EvoLink provider's mappings in isolation (request body, credits, statuses), and its
 * one promise under faults: a create whose answer is lost is never sent again, so no task is
 * created twice and the credits charged are the tasks created times the quote.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "../../src/log.js";
import { EVOLINK_MODELS } from "../../src/providers/evolink/models/index.js";
import { evolinkQuote } from "../../src/providers/evolink/provider.js";
import { toCreateBody } from "../../src/providers/evolink/request.js";
import { readCredits, toTask } from "../../src/providers/evolink/task.js";
import type { EvolinkTask } from "../../src/providers/evolink/types.js";
import { type Harness, startHarness, structuredOf, textOf } from "../helpers/harness.js";

const [t2v, i2v] = EVOLINK_MODELS as [(typeof EVOLINK_MODELS)[0], (typeof EVOLINK_MODELS)[0]];

describe("the create body", () => {
  it("maps settings and a timed storyboard to EvoLink's fields", () => {
    const body = toCreateBody({
      model: t2v.id,
      prompt: "p",
      params: {
        duration: "10",
        aspect_ratio: "1:1",
        quality: "1080p",
        sound: "on",
        negative_prompt: "blur",
        auto_shots: "false",
        shots: [
          { prompt: "a", duration: 4 },
          { prompt: "b", duration: 6 },
        ],
      },
    });
    expect(body).toEqual({
      model: t2v.id,
      prompt: "p",
      duration: 10,
      aspect_ratio: "1:1",
      quality: "1080p",
      sound: "on",
      negative_prompt: "blur",
      model_params: {
        multi_shot: true,
        shot_type: "customize",
        multi_prompt: [
          { index: 1, prompt: "a", duration: "4" },
          { index: 2, prompt: "b", duration: "6" },
        ],
      },
    });
  });

  it("maps auto_shots to intelligence, and references to image_start / image_end", () => {
    const body = toCreateBody({
      model: i2v.id,
      prompt: "p",
      params: {
        duration: "5",
        auto_shots: "true",
        referenceMediaItems: [
          { url: "https://x/1.png", kind: "image" },
          { url: "https://x/2.png", kind: "image" },
        ],
      },
    });
    expect(body).toMatchObject({
      model_params: { multi_shot: true, shot_type: "intelligence" },
      image_start: "https://x/1.png",
      image_end: "https://x/2.png",
    });
    expect(body).not.toHaveProperty("referenceMediaItems");
  });
});

describe("credits_reserved against the quote", () => {
  it.each([
    [27, [27], 27, false],
    [270000, [27], 27, false],
    [359910, [35.991], 35.991, false],
    [35, [27], 35, true],
    [540000, [27], 54, true],
    [270001, [27], 27.0001, true],
  ])("%s reported, %s expected → %s credits (mismatch: %s)", (raw, expected, credits, odd) => {
    const r = readCredits(raw, expected);
    expect(r.credits).toBe(credits);
    expect(Boolean(r.mismatch)).toBe(odd);
  });

  it("without its own quote, accepts any price the table allows for the duration", () => {
    // 1080p with sound for 4 s: 43.2, sent in sub-units.
    const task = {
      id: "task-unified-1-abcdefgh",
      model: t2v.id,
      status: "completed",
      results: ["https://r/1.mp4"],
      creditsReservedRaw: 432000,
      videoDurationSeconds: 4,
      createdAtMs: 1000,
      error: undefined,
    } as unknown as EvolinkTask;
    const prices = [5.4, 8.1, 7.1982, 10.8].map((p) => Math.round(p * 4 * 1e4) / 1e4);
    expect(toTask(task, prices, silentLogger)).toMatchObject({
      status: "succeeded",
      reserved_credits: 43.2,
      final_credits: 43.2,
      result: { primary_url: "https://r/1.mp4" },
    });
  });

  it("maps the four statuses, and keeps polling an unknown one", () => {
    const base = { id: "t", model: t2v.id, results: [], creditsReservedRaw: 27 } as const;
    const status = (s: string) =>
      toTask({ ...base, status: s } as unknown as EvolinkTask, [27], silentLogger).status;
    expect(["pending", "processing", "completed", "failed", "paused"].map(status)).toEqual([
      "queued",
      "processing",
      "succeeded",
      "failed",
      "processing",
    ]);
  });
});

describe("the quote", () => {
  it("states its formula; 4k is an estimate and says so", () => {
    const q = evolinkQuote(t2v, { quality: "720p", sound: "on", duration: "3" });
    expect(q).toMatchObject({ amount: 24.3, unit: "EvoLink credits" });
    expect(q.basis).toContain("5.4 credits/s × 1.5 (720p, sound on) × 3 s = 24.3");
    const k = evolinkQuote(t2v, { quality: "4k", sound: "off", duration: "5" });
    expect(k.basis).toContain("an estimate: EvoLink publishes no 4k price");
  });
});

describe("faults: a create is sent once, never again", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      evolink: {
        pendingMs: 20,
        processingMs: 40,
        rateLimitPerMinute: null,
        seed: 7,
        startingCredits: 10_000,
      },
    });
  });
  afterAll(() => h.close());
  const evo = () => h.evo as NonNullable<Harness["evo"]>;

  it("accept-then-drop and 5xx leave an in-doubt request that is not resent; 429 clears it", async () => {
    const args = (i: number) => ({
      model: "kling-v3-text-to-video",
      prompt: `A fault run ${i}`,
      client_request_id: `fault-${i}`,
    });
    const outcomes: string[] = [];
    for (let i = 0; i < 100; i++) {
      const fault = ["dropAfterAccept", "rate5xx", "rate429", "none"][i % 4] as string;
      evo().setFaults({ dropAfterAccept: 0, rate5xx: 0, rate429: 0, [fault]: 1 });
      const first = await h.call("generate_video", args(i));
      evo().setFaults({ dropAfterAccept: 0, rate5xx: 0, rate429: 0 });
      // The agent retries with the same client_request_id, as the error tells it to.
      const again = await h.call("generate_video", args(i));
      const entry = await h.store.findByClientRequestId("local", `fault-${i}`);
      outcomes.push(`${fault}:${first.isError ? "error" : "ok"}:${entry?.state ?? "none"}`);
      if (fault === "dropAfterAccept" || fault === "rate5xx") {
        expect(first.isError).toBe(true);
        expect(entry?.state, textOf(again)).toBe("submitting");
        expect(textOf(again)).toContain("has no idempotency key");
        const seen = structuredOf(await h.call("get_task", { task_id: `fault-${i}` }));
        expect(seen.submitting).toMatchObject({ client_request_id: `fault-${i}` });
      }
    }
    const tasks = evo().tasks();
    // Dropped creates were stored and charged once; 5xx and 429 created nothing; each retried
    // request made exactly one task (none twice) and the in-doubt ones none more.
    const dropped = outcomes.filter((o) => o.startsWith("dropAfterAccept")).length;
    const refusedThenSent = outcomes.filter((o) => o.startsWith("rate429")).length;
    const clean = outcomes.filter((o) => o.startsWith("none")).length;
    expect(tasks.length).toBe(dropped + refusedThenSent + clean);
    expect(evo().balance(h.evoKey).used).toBe(Math.round(tasks.length * 27 * 1e4) / 1e4);
    const posts = evo().requests.filter(
      (r) => r.method === "POST" && r.path === "/v1/videos/generations",
    );
    console.log(
      `EvoLink faults: 100 requests, ${posts.length} creates sent, ${tasks.length} tasks, ${outcomes.filter((o) => o.endsWith("submitting")).length} in doubt, ${evo().balance(h.evoKey).used} credits`,
    );
  });
});
