/**
 * The Rivya client against the project's simulator, through real HTTP: every route, every
 * documented error code as its typed class, idempotency and billing, uploads, faults.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { Agent, type Dispatcher } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ModelTable } from "../../src/catalog/index.js";
import { defaultSleep } from "../../src/net/abort.js";
import {
  createRivyaClient,
  type RivyaClient,
  type RivyaClientOptions,
} from "../../src/providers/rivya/client.js";
import {
  AuthError,
  IdempotencyConflictError,
  InsufficientCreditsError,
  NotFoundError,
  RateLimitedError,
  type RivyaError,
  ScopeDeniedError,
  UpstreamUnavailableError,
  ValidationError,
} from "../../src/providers/rivya/errors.js";
import { RIVYA_MODELS } from "../../src/providers/rivya/models/index.js";
import { type Simulator, startSimulator } from "../../src/providers/rivya/simulator/index.js";
import type { ApiModel, RivyaTask } from "../../src/providers/rivya/types.js";
import {
  jpegBytes,
  largePngBytes,
  pdfBytes,
  pngBytes,
  textBytes,
  webpBytes,
} from "../fixtures/images.js";

const MB = 1024 * 1024;
const KLING = "kling-3-0"; // base 90 credits, image references only
const secret = (label: string) => `rvya_sk_${label}_SECRET_${randomUUID().replaceAll("-", "")}`;
const KEY = secret("main");
const REVOKED = secret("revoked");
const EXPIRED = secret("expired");
const READ_ONLY = secret("readonly");
const POOR = secret("poor");
const OTHER = secret("other");
const ALL_KEYS = [KEY, REVOKED, EXPIRED, READ_ONLY, POOR, OTHER];

const fastSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.min(ms, 2)));
const sims: Simulator[] = [];
const clients: RivyaClient[] = [];
let sim: Simulator;
let dir: string;

/** Every error a test provokes is checked here: no message, JSON or inspection holds a key. */
function expectNoSecrets(err: unknown): void {
  const views = [(err as Error).message, JSON.stringify(err), inspect(err, { depth: 5 })];
  for (const view of views) {
    for (const key of [...ALL_KEYS, "sk_live_not_a_rivya_key_SECRET"])
      expect(view).not.toContain(key);
    // Upstream hints may name the header ("Authorization: Bearer rvya_sk_..."), never a value.
    expect(view).not.toMatch(/authorization["']?\s*[:=]\s*["']?bearer\s+(?!rvya_sk_\.\.\.)/i);
  }
}

async function failure(p: Promise<unknown>): Promise<RivyaError> {
  try {
    await p;
  } catch (e) {
    expectNoSecrets(e);
    return e as RivyaError;
  }
  throw new Error("expected the call to fail");
}

function client(apiKey: string | undefined, extra: Partial<RivyaClientOptions> = {}, on = sim) {
  const c = createRivyaClient({
    baseUrl: on.url,
    sleep: fastSleep,
    ...extra,
    ...(apiKey ? { apiKey } : {}),
  });
  clients.push(c);
  return c;
}

async function until(
  c: RivyaClient,
  id: string,
  done: (t: RivyaTask) => boolean,
): Promise<RivyaTask> {
  for (;;) {
    const t = await c.getGeneration(id);
    if (done(t)) return t;
    await new Promise((r) => setTimeout(r, 15));
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "rivya-client-"));
  sim = await startSimulator({
    queuedMs: 20,
    processingMs: 20,
    rateLimit: null,
    seed: 11,
    accounts: {
      [REVOKED]: { status: "revoked" },
      [EXPIRED]: { status: "expired" },
      [READ_ONLY]: { scopes: ["credits:read"] },
      [POOR]: { credits: 10 },
    },
  });
  sims.push(sim);
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all(sims.map((s) => s.close()));
  rmSync(dir, { recursive: true, force: true });
});

describe("routes", () => {
  it("lists models without a key and reads credits with one", async () => {
    const models = await client(undefined).listModels();
    expect(models.find((m) => m.id === KLING)).toMatchObject({
      base_credits: 90,
      api_status: "available",
    });
    expect(sim.requests.at(-1)).toMatchObject({ path: "/api/v1/models", status: 200 });
    expect(sim.requests.at(-1)?.key).toBeUndefined();
    expect(await client(KEY).getCredits()).toBe(sim.balance(KEY));
  });

  it("the upstream /models catalogue still matches the model tables", async () => {
    const upstream = await client(undefined).listModels();
    // What the server promises agents, read back through the client as upstream states it.
    const view = (m: ApiModel) => ({
      id: m.id,
      displayName: m.display_name,
      baseCredits: m.base_credits,
      billingType: m.billing_type,
      supportedModes: m.supported_modes,
      maxPromptLength: m.max_prompt_length,
      params: (m.params as Record<string, unknown>[]).map((p) => ({
        key: p.key,
        type: p.type,
        required: p.required,
        ...(p.options === undefined ? {} : { options: p.options }),
      })),
      kinds: ((m.reference_media as { kinds?: Record<string, unknown>[] } | null)?.kinds ?? []).map(
        (k) => ({ kind: k.kind, maxBytes: k.max_bytes, mimeTypes: k.mime_types }),
      ),
    });
    const table = (t: ModelTable) => ({
      id: t.id,
      displayName: t.displayName,
      baseCredits: t.price.credits,
      billingType: t.price.billing,
      supportedModes: t.supportedModes,
      maxPromptLength: t.maxPromptLength,
      params: t.params.map((p) => ({
        key: p.key,
        type: p.type,
        required: p.required,
        ...(p.type === "select" ? { options: p.options } : {}),
      })),
      kinds: (t.referenceMedia?.kinds ?? []).map((k) => ({ ...k })),
    });
    // Rivya's /models lists Rivya's tables only; EvoLink has no catalogue endpoint.
    expect(upstream.map(view)).toEqual(RIVYA_MODELS.map(table));
  });

  it("creates a generation, polls it to success and charges the base credits once", async () => {
    const c = client(KEY);
    const before = sim.balance(KEY);
    const { task, replayed, idempotencyKey } = await c.createGeneration({
      model: KLING,
      prompt: "a fox",
    });
    expect(task).toMatchObject({
      status: "queued",
      model: KLING,
      reserved_credits: 90,
      final_credits: 0,
    });
    expect([replayed, idempotencyKey.length]).toEqual([false, 36]);
    const done = await until(c, task.id, (t) => t.status === "succeeded");
    expect(done.final_credits).toBe(90);
    expect(done.result?.primary_url).toMatch(/\.mp4$/);
    expect(sim.balance(KEY)).toBe(before - 90);
  });

  it("replays the same key + body to the same task, charged once; another body conflicts", async () => {
    const c = client(KEY);
    const [before, stats] = [sim.balance(KEY), sim.stats()];
    const body = { model: KLING, prompt: "idempotent otter", params: { duration: "5" } };
    const idempotencyKey = `idem-${randomUUID()}`;
    const a = await c.createGeneration(body, { idempotencyKey });
    const b = await c.createGeneration(body, { idempotencyKey });
    expect(b.task.id).toBe(a.task.id);
    expect([a.replayed, b.replayed]).toEqual([false, true]);
    expect(sim.stats().tasksCreated - stats.tasksCreated).toBe(1);
    expect(sim.stats().creditsCharged - stats.creditsCharged).toBe(90);
    expect(sim.balance(KEY)).toBe(before - 90);
    const err = await failure(
      c.createGeneration({ ...body, prompt: "changed" }, { idempotencyKey }),
    );
    expect(err).toBeInstanceOf(IdempotencyConflictError);
    expect(err).toMatchObject({ code: "idempotency_conflict", status: 409, idempotencyKey });
  });

  it("refunds a failed task ([sim:fail])", async () => {
    const c = client(KEY);
    const [before, refunded] = [sim.balance(KEY), sim.stats().creditsRefunded];
    const { task } = await c.createGeneration({ model: KLING, prompt: "a cat [sim:fail]" });
    const done = await until(c, task.id, (t) => t.status === "failed");
    expect(done).toMatchObject({
      final_credits: 0,
      result: null,
      error: { code: "generation_failed" },
    });
    expect(sim.balance(KEY)).toBe(before);
    expect(sim.stats().creditsRefunded - refunded).toBe(90);
  });
});

/** A dispatcher that drops the Authorization header, so a keyless request really goes out. */
function strippingAuth(): Dispatcher {
  return new Agent().compose((dispatch) => (opts, handler) => {
    const headers = Object.fromEntries(
      Object.entries((opts.headers ?? {}) as Record<string, string>).filter(
        ([k]) => k !== "authorization",
      ),
    );
    return dispatch({ ...opts, headers }, handler);
  });
}

describe("error codes as typed classes", () => {
  const create = (c: RivyaClient, prompt = "p") => c.createGeneration({ model: KLING, prompt });
  it.each([
    ["api_key_invalid", "sk_live_not_a_rivya_key_SECRET", AuthError],
    ["api_key_revoked", REVOKED, AuthError],
    ["api_key_expired", EXPIRED, AuthError],
    ["api_scope_denied", READ_ONLY, ScopeDeniedError],
    ["insufficient_credits", POOR, InsufficientCreditsError],
  ] as const)("%s", async (code, key, Cls) => {
    const err = await failure(create(client(key)));
    expect(err).toBeInstanceOf(Cls);
    expect(err.code).toBe(code);
    expect(err.requestId).toMatch(/^req_/);
    expect(err.idempotencyKey).toBeTruthy();
  });

  it("api_key_missing: locally without a request, and from upstream when none is sent", async () => {
    const sent = sim.requests.length;
    const local = await failure(client(undefined).getCredits());
    expect(local).toBeInstanceOf(AuthError);
    expect(local.code).toBe("api_key_missing");
    expect(sim.requests.length).toBe(sent);
    const remote = await failure(client(KEY, { dispatcher: strippingAuth() }).getCredits());
    expect(remote).toBeInstanceOf(AuthError);
    expect(remote).toMatchObject({ code: "api_key_missing", status: 401 });
  });

  it("validation_failed and not_found name the problem", async () => {
    const c = client(KEY);
    const bad = await failure(c.createGeneration({ model: "no-such-model", prompt: "p" }));
    expect(bad).toBeInstanceOf(ValidationError);
    expect(bad.message).toContain("no-such-model");
    const long = await failure(create(c, "x".repeat(2001)));
    expect(long).toMatchObject({ code: "validation_failed", status: 400 });
    expect((await failure(c.getGeneration("task_missing"))).constructor).toBe(NotFoundError);
    const { task } = await create(c);
    expect(await failure(client(OTHER).getGeneration(task.id))).toBeInstanceOf(NotFoundError);
  });

  it("rate_limited: a Retry-After beyond the time budget stops at once", async () => {
    const limited = await startSimulator({ rateLimit: { capacity: 1, refillPerSecond: 0.05 } });
    sims.push(limited);
    const c = client(KEY, {}, limited);
    await c.getCredits();
    const err = await failure(c.getCredits());
    expect(err).toBeInstanceOf(RateLimitedError);
    expect(err).toMatchObject({ code: "rate_limited", status: 429, retryAfterSeconds: 20 });
    // No retry was attempted: one request answered, one refused.
    expect(limited.requests).toHaveLength(2);
  });

  it("5xx on a public route surfaces as UpstreamUnavailableError once attempts run out", async () => {
    const broken = await startSimulator({ faults: { rate5xx: 1 } });
    sims.push(broken);
    const retries: number[] = [];
    const c = client(undefined, { onRetry: (i) => retries.push(i.delayMs) }, broken);
    const err = await failure(c.listModels());
    expect(err).toBeInstanceOf(UpstreamUnavailableError);
    expect(err).toMatchObject({ code: "public_api_disabled", status: 503, retryAfterSeconds: 1 });
    expect(retries).toEqual([1000, 1000, 1000]);
  });
});

describe("uploads", () => {
  const up = (c: RivyaClient, data: Uint8Array, filename: string, extra = {}) =>
    c.uploadFile({
      data,
      filename,
      mimeType: "application/octet-stream",
      kind: "image",
      model: KLING,
      ...extra,
    });

  it("accepts real PNG, JPEG and WebP images", async () => {
    const c = client(KEY);
    for (const [bytes, name, mime] of [
      [pngBytes(), "a.png", "image/png"],
      [jpegBytes(), "b.jpg", "image/jpeg"],
      [webpBytes(), "c.webp", "image/webp"],
    ] as const) {
      const file = await up(c, bytes, name);
      expect(file).toMatchObject({ kind: "image", name, mimeType: mime, sizeBytes: bytes.length });
      expect(file.id).toMatch(/^file_/);
    }
  });

  it("refuses a text file named .png, a PDF, an 11 MB image and a video for an image-only model", async () => {
    const c = client(KEY);
    const cases: [() => Promise<unknown>, RegExp][] = [
      [() => up(c, textBytes(), "fake.png"), /not a recognised image format/],
      [() => up(c, pdfBytes(), "doc.png"), /application\/pdf, not an accepted image type/],
      [
        () => up(c, largePngBytes(11 * MB), "big.png"),
        /too large: 11(\.\d)? MB; the limit .* 10 MB/,
      ],
      [
        () => up(c, webpBytes(), "v.mp4", { kind: "video" }),
        /kind video is not accepted by kling-3-0/,
      ],
    ];
    for (const [attempt, reason] of cases) {
      const err = await failure(attempt());
      expect(err).toBeInstanceOf(ValidationError);
      expect(err.message).toMatch(reason);
    }
  });

  // That it streams rather than buffers is measured by the upload benchmark (bytes held).
  it("uploads a ~10 MB file from disk by path", async () => {
    const path = join(dir, "ten.png");
    writeFileSync(path, largePngBytes(10 * MB - 64 * 1024));
    const file = await client(KEY).uploadFile({
      path,
      filename: "ten.png",
      mimeType: "image/png",
      kind: "image",
    });
    expect(file.sizeBytes).toBeGreaterThan(9.9 * MB);
    expect(file.sizeBytes).toBeLessThanOrEqual(10 * MB);
  });
});

describe("faults", () => {
  it("never double-charges creates retried through dropped connections and 429s", async () => {
    const faulty = await startSimulator({
      seed: 20260511,
      rateLimit: null,
      startingCredits: 10_000,
      queuedMs: 60_000,
      faults: { dropAfterAccept: 0.3, rate429: 0.3 },
    });
    sims.push(faulty);
    const c = client(KEY, { retry: { maxAttempts: 10 } }, faulty);
    const results = [];
    for (let i = 0; i < 30; i++) {
      results.push(await c.createGeneration({ model: KLING, prompt: `fault run ${i}` }));
    }
    const creates = faulty.requests.filter(
      (r) => r.method === "POST" && r.path === "/api/v1/generations",
    );
    const dropped = creates.filter((r) => r.status === 0).length;
    const limited = creates.filter((r) => r.status === 429).length;
    console.log(
      `fault run: 30 creates -> ${creates.length} upstream POST /generations ` +
        `(${dropped} dropped after accept, ${limited} answered 429, ` +
        `${results.filter((r) => r.replayed).length} answered as replays)`,
    );
    expect(new Set(results.map((r) => r.task.id)).size).toBe(30);
    expect(faulty.stats()).toMatchObject({ tasksCreated: 30, creditsCharged: 30 * 90 });
    expect(faulty.balance(KEY)).toBe(10_000 - 30 * 90);
    expect(faulty.tasks(KEY)).toHaveLength(30);
    expect(dropped).toBeGreaterThan(0);
    expect(limited).toBeGreaterThan(0);
  });

  it("an abort during backoff returns promptly with an AbortError", async () => {
    const busy = await startSimulator({ faults: { rate429: 1 } });
    sims.push(busy);
    const ac = new AbortController();
    // The real sleep: the 429 says Retry-After 1, and the abort lands 50 ms into that wait.
    const onRetry = () => setTimeout(() => ac.abort(), 50);
    let sleepCutShort = false;
    const sleep = (ms: number, signal?: AbortSignal) =>
      defaultSleep(ms, signal).catch((err: unknown) => {
        sleepCutShort = true;
        throw err;
      });
    const c = createRivyaClient({ baseUrl: busy.url, apiKey: KEY, onRetry, sleep });
    clients.push(c);
    const err = await c.getCredits({ signal: ac.signal }).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: "AbortError" });
    expect(sleepCutShort).toBe(true);
    expect(busy.requests).toHaveLength(1);
  });
});
