/**
 * The EvoLink client over real HTTP: a create is never resent once it may have been sent
 * (accept-then-drop, 5xx, 429), a refused connection before sending is retried, reads are
 * retried through 429/5xx (honouring a Retry-After), the Files API and its error envelope,
 * integer `code`s and `success:false` in a 2xx, and no error or body carries the key.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createEvolinkClient,
  type EvolinkClient,
  type EvolinkClientOptions,
} from "../../src/providers/evolink/client.js";
import { parseErrorEnvelope } from "../../src/providers/evolink/envelope.js";
import {
  EvolinkAuthError,
  type EvolinkError,
  EvolinkInsufficientQuotaError,
  EvolinkNetworkError,
  EvolinkRateLimitedError,
  EvolinkTimeoutError,
  EvolinkUpstreamError,
  EvolinkValidationError,
} from "../../src/providers/evolink/errors.js";
import {
  type EvolinkSimulator,
  type EvolinkSimulatorOptions,
  startEvolinkSimulator,
} from "../../src/providers/evolink/simulator/index.js";
import { jpegBytes, largePngBytes, pdfBytes, pngBytes } from "../fixtures/images.js";

const KEY = "sk-evo-client-test-SECRET-abcdef0123456789";
const CREATE = "/v1/videos/generations";
const body = { model: "kling-v3-text-to-video", prompt: "a lighthouse at dusk", duration: 5 };
const noSleep = async () => {};
const sims: EvolinkSimulator[] = [];
const clients: EvolinkClient[] = [];
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "evolink-client-"));
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all(sims.map((s) => s.close()));
  rmSync(dir, { recursive: true, force: true });
});

async function start(
  opts: EvolinkSimulatorOptions = {},
  client: Partial<EvolinkClientOptions> = {},
) {
  const sim = await startEvolinkSimulator({ pendingMs: 0, processingMs: 60_000, ...opts });
  sims.push(sim);
  const c = open({ baseUrl: sim.url, filesUrl: sim.url, ...client });
  return { sim, client: c };
}

function open(opts: Partial<EvolinkClientOptions>): EvolinkClient {
  const c = createEvolinkClient({ apiKey: KEY, sleep: noSleep, ...opts });
  clients.push(c);
  return c;
}

/** Every provoked error is checked: no message, JSON or inspection holds the key. */
async function failure(p: Promise<unknown>): Promise<EvolinkError> {
  const err = (await p.then(
    () => expect.unreachable("the call should have failed"),
    (e: unknown) => e,
  )) as EvolinkError;
  for (const view of [err.message, JSON.stringify(err), inspect(err, { depth: 5 })]) {
    expect(view).not.toContain(KEY);
  }
  return err;
}

const posts = (sim: EvolinkSimulator, path = CREATE) =>
  sim.requests.filter((r) => r.method === "POST" && r.path === path);

describe("creates are never resent once they may have been sent", () => {
  it("accept-then-drop: 1 POST, 1 task, charged once, and the error says the create is in doubt", async () => {
    const { sim, client } = await start({ faults: { dropAfterAccept: 1 } });
    const err = await failure(client.createVideo(body));
    expect(err).toBeInstanceOf(EvolinkNetworkError);
    expect(err.createOutcome).toBe("in_doubt");
    expect(err.message).toMatch(/may have been created and charged/);
    expect(err.message).toMatch(/may charge twice/);
    expect(posts(sim)).toHaveLength(1);
    expect(posts(sim)[0]?.dropped).toBe(true);
    expect(sim.tasks()).toHaveLength(1);
    expect(sim.balance(KEY).used).toBe(27);
  });

  it("a 5xx on create is in doubt and not resent", async () => {
    const { sim, client } = await start({ faults: { rate5xx: 1 } });
    const err = await failure(client.createVideo(body));
    expect(err).toBeInstanceOf(EvolinkUpstreamError);
    expect([err.status, err.code, err.createOutcome]).toEqual([500, "internal_error", "in_doubt"]);
    expect(posts(sim)).toHaveLength(1);
  });

  it("a 429 on create is certainly not processed, and still not resent (the caller decides)", async () => {
    const { sim, client } = await start({ faults: { rate429: 1 }, retryAfterSeconds: 1 });
    const err = await failure(client.createVideo(body));
    expect(err).toBeInstanceOf(EvolinkRateLimitedError);
    expect([err.createOutcome, err.retryAfterSeconds]).toEqual(["certainly_not", 1]);
    expect(err.message).toMatch(/certainly not created; nothing was charged/);
    expect(posts(sim)).toHaveLength(1);
    expect(sim.tasks()).toHaveLength(0);
  });

  it("100 creates through drops and 5xx faults: every task created once, charged once", async () => {
    const { sim, client } = await start({
      seed: 12,
      rateLimitPerMinute: null,
      startingCredits: 10_000,
      faults: { dropAfterAccept: 0.2, rate5xx: 0.2 },
    });
    const outcomes = { created: 0, inDoubt: 0, refused: 0 };
    for (let i = 0; i < 100; i++) {
      try {
        await client.createVideo({ ...body, prompt: `take ${i}` });
        outcomes.created++;
      } catch (e) {
        outcomes[(e as EvolinkError).createOutcome === "in_doubt" ? "inDoubt" : "refused"]++;
      }
    }
    expect(posts(sim)).toHaveLength(100);
    expect(outcomes.inDoubt).toBeGreaterThan(0);
    const dropped = posts(sim).filter((r) => r.dropped).length;
    expect(sim.tasks()).toHaveLength(outcomes.created + dropped);
    expect(sim.balance(KEY).used).toBe(27 * sim.tasks().length);
  });

  it("a create whose reply is late times out in doubt: the task exists, and it is not resent", async () => {
    const { sim, client } = await start(
      { faults: { latencyMs: 60_000 } },
      { timeouts: { headersMs: 200 } },
    );
    const err = await failure(client.createVideo(body));
    expect(err).toBeInstanceOf(EvolinkTimeoutError);
    expect([err.code, err.createOutcome]).toEqual(["timeout", "in_doubt"]);
    expect(posts(sim)).toHaveLength(1);
    expect(sim.tasks()).toHaveLength(1);
  });

  it("a connection refused before any byte left is retried, and the create then goes through once", async () => {
    const probe = await startEvolinkSimulator();
    const port = Number(new URL(probe.url).port);
    await probe.close();
    let late: Promise<EvolinkSimulator> | undefined;
    const reasons: string[] = [];
    const client = open({
      baseUrl: `http://127.0.0.1:${port}`,
      onRetry: (info) => {
        reasons.push(info.reason);
        late ??= startEvolinkSimulator({ port });
      },
      sleep: async () => {
        await late;
      },
    });
    const task = await client.createVideo(body);
    const sim = await (late as Promise<EvolinkSimulator>);
    sims.push(sim);
    expect(reasons).toEqual(["ECONNREFUSED"]);
    expect(posts(sim)).toHaveLength(1);
    expect(sim.tasks().map((t) => t.id)).toEqual([task.id]);
  });
});

describe("reads are retried", () => {
  it("getTask and getCredits retry through 429 and 5xx until an answer", async () => {
    const { sim, client } = await start();
    const task = await client.createVideo(body);
    const reasons: string[] = [];
    const retrying = open({
      baseUrl: sim.url,
      onRetry: (info) => {
        reasons.push(info.reason);
        sim.setFaults(reasons.length === 1 ? { rate429: 0, rate5xx: 1 } : { rate5xx: 0 });
      },
    });
    sim.setFaults({ rate429: 1 });
    expect((await retrying.getTask(task.id)).id).toBe(task.id);
    expect(reasons).toEqual(["HTTP 429 rate_limit_exceeded", "HTTP 500 internal_error"]);
    reasons.length = 0;
    sim.setFaults({ rate429: 1 });
    expect((await retrying.getCredits()).token?.remainingCredits).toBe(973);
    expect(reasons).toEqual(["HTTP 429 rate_limit_exceeded", "HTTP 500 internal_error"]);
  });

  it("a read whose connection drops mid-exchange is retried; the same drop on a create is not", async () => {
    let seen = 0;
    const server = createServer((req, res) => {
      req.resume();
      if (++seen % 2 === 1) return void req.socket.destroy();
      const data = { token: { remaining_credits: 5, used_credits: 1, unlimited_credits: false } };
      res
        .writeHead(200, { "content-type": "application/json" })
        .end(JSON.stringify({ success: true, data }));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const reasons: string[] = [];
    const client = open({ baseUrl: url, onRetry: (i) => reasons.push(i.reason) });
    expect((await client.getCredits()).token?.remainingCredits).toBe(5);
    expect([seen, reasons.length]).toEqual([2, 1]);
    const err = await failure(client.createVideo(body));
    expect([err.constructor, err.createOutcome, seen]).toEqual([
      EvolinkNetworkError,
      "in_doubt",
      3,
    ]);
    await new Promise((r) => server.close(r));
  });

  it("honours a Retry-After when one is sent, and gives up after the policy's attempts", async () => {
    const { sim } = await start({ retryAfterSeconds: 2, faults: { rate429: 1 } });
    const delays: number[] = [];
    const client = open({
      baseUrl: sim.url,
      retry: { maxAttempts: 3 },
      onRetry: (i) => delays.push(i.delayMs),
    });
    const err = await failure(client.getCredits());
    expect(err).toBeInstanceOf(EvolinkRateLimitedError);
    expect(delays).toEqual([2000, 2000]);
    expect(err.message).toContain("Gave up after 3 attempts");
    expect(sim.requests.filter((r) => r.path === "/v1/credits")).toHaveLength(3);
  });
});

describe("auth and secrets", () => {
  it("an unknown key is refused with EvolinkAuthError; no key at all is refused before any request", async () => {
    const { sim } = await start({ accounts: [{ key: "sk-evo-someone-else-000000" }] });
    const err = await failure(open({ baseUrl: sim.url }).getCredits());
    expect(err).toBeInstanceOf(EvolinkAuthError);
    expect(err.code).toBe("unauthorized");
    const before = sim.requests.length;
    const none = createEvolinkClient({ apiKey: "  ", baseUrl: sim.url });
    clients.push(none);
    const missing = await failure(none.createVideo(body));
    expect([missing.code, missing.createOutcome]).toEqual(["api_key_missing", "certainly_not"]);
    expect(missing.message).toContain("EVOLINK_API_KEY");
    expect(sim.requests.length).toBe(before);
  });

  it("scrubs a key echoed by the upstream from errors and parsed bodies", async () => {
    const server = await rawServer((path) =>
      path === "/v1/credits"
        ? [
            400,
            {
              error: {
                code: 400,
                message: `bad key ${KEY}`,
                fallback_suggestion: `use Bearer ${KEY}`,
              },
            },
          ]
        : [
            200,
            { id: "task-unified-1-aaaaaaaa", status: "pending", model: `echo ${KEY}`, created: 1 },
          ],
    );
    const client = open({ baseUrl: server.url });
    const err = await failure(client.getCredits());
    expect(err.fallbackSuggestion).not.toContain(KEY);
    const task = await client.getTask("task-unified-1-aaaaaaaa");
    expect(JSON.stringify(task)).not.toContain(KEY);
    expect(task.model).toContain("[redacted]");
    await server.close();
  });
});

describe("local checks", () => {
  it("refuses a task id that could leave /v1/tasks/ before sending anything", async () => {
    const { sim, client } = await start();
    for (const id of ["..", ".", "a/b", "", "x".repeat(201)]) {
      const err = await failure(client.getTask(id));
      expect([err.constructor, err.param]).toEqual([EvolinkValidationError, "task_id"]);
    }
    expect(sim.requests).toHaveLength(0);
  });
});

describe("tolerant parsing", () => {
  it("reads an integer code, param and fallback_suggestion (the older envelope)", async () => {
    const server = await rawServer(() => [
      429,
      {
        error: {
          code: 429,
          message: "Too many requests",
          type: "rate_limit_error",
          fallback_suggestion: "retry after 60 seconds",
        },
      },
    ]);
    const client = open({ baseUrl: server.url, retry: { maxAttempts: 1 } });
    const err = await failure(client.getCredits());
    expect(err).toBeInstanceOf(EvolinkRateLimitedError);
    expect([err.code, err.type, err.fallbackSuggestion]).toEqual([
      "429",
      "rate_limit_error",
      "retry after 60 seconds",
    ]);
    expect(err.message).toContain("Suggestion: retry after 60 seconds");
    expect(parseErrorEnvelope('{"error":{"code":402,"message":"m","param":"duration"}}')).toEqual({
      code: "402",
      message: "m",
      param: "duration",
    });
    expect(parseErrorEnvelope("<html>bad gateway</html>").message).toContain("non-JSON");
    await server.close();
  });

  it("maps an integer 402 to insufficient quota and an unknown string code by its status", async () => {
    const server = await rawServer((path) =>
      path === "/v1/credits"
        ? [402, { error: { code: 402, message: "no money" } }]
        : [503, { error: { code: "brand_new" } }],
    );
    const client = open({ baseUrl: server.url, retry: { maxAttempts: 1 } });
    expect(await failure(client.getCredits())).toBeInstanceOf(EvolinkInsufficientQuotaError);
    const e = await failure(client.createVideo(body));
    expect([e.constructor, e.code, e.createOutcome]).toEqual([
      EvolinkUpstreamError,
      "brand_new",
      "in_doubt",
    ]);
    await server.close();
  });

  it("keeps unknown task fields, an unknown status and credits_reserved raw (doubtful units)", async () => {
    const task = {
      id: "task-unified-1757169743-7cvnl5zw",
      created: 1757169743,
      status: "queued_somewhere",
      progress: 140,
      usage: { credits_reserved: 270000, billing_rule: "per_second" },
      result_data: [{ video_url: "x" }],
    };
    const server = await rawServer(() => [200, task]);
    const t = await open({ baseUrl: server.url }).getTask(task.id);
    expect([t.status, t.progress, t.creditsReservedRaw, t.createdAtMs]).toEqual([
      "queued_somewhere",
      100,
      270000,
      1757169743000,
    ]);
    expect(t.raw.result_data).toEqual(task.result_data);
    await server.close();
  });

  it("a 2xx create whose body names no task is in doubt, not a success and not a clean failure", async () => {
    const server = await rawServer(() => [200, { status: "pending" }]);
    const err = await failure(open({ baseUrl: server.url }).createVideo(body));
    expect([err.code, err.createOutcome]).toEqual(["unexpected_response", "in_doubt"]);
    await server.close();
  });

  it("treats success:false in a 2xx Files API body as an error", async () => {
    const server = await rawServer(() => [
      200,
      { success: false, code: 40003, msg: "quota used up" },
    ]);
    const err = await failure(open({ filesUrl: server.url }).quota());
    expect(err).toBeInstanceOf(EvolinkInsufficientQuotaError);
    expect([err.code, err.message]).toEqual(["40003", expect.stringContaining("quota used up")]);
    await server.close();
  });
});

describe("Files API", () => {
  it("uploads base64 (raw and data URL), a streamed file and a loopback URL; quota counts them", async () => {
    const { sim, client } = await start();
    const png = pngBytes({ width: 320, height: 320 });
    const a = await client.uploadBase64(png.toString("base64"), {
      uploadPath: "refs",
      fileName: "first.png",
    });
    expect([a.mimeType, a.fileSize, a.fileName]).toEqual(["image/png", png.length, "first.png"]);
    expect(a.fileId).toMatch(/^file_/);
    expect(Date.parse(a.expiresAt as string) - Date.parse(a.uploadTime as string)).toBe(
      72 * 3600_000,
    );
    expect(Buffer.from(await (await fetch(a.fileUrl)).arrayBuffer())).toEqual(png);
    const b = await client.uploadBase64(`data:image/jpeg;base64,${jpegBytes().toString("base64")}`);
    expect(b.mimeType).toBe("image/jpeg");
    const path = join(dir, "frame.jpg");
    writeFileSync(path, jpegBytes());
    const c = await client.uploadStream(path);
    expect([c.mimeType, c.fileName]).toEqual(["image/jpeg", "frame.jpg"]);
    const d = await client.uploadUrl(a.fileUrl);
    expect(Buffer.from(await (await fetch(d.fileUrl)).arrayBuffer())).toEqual(png);
    const quota = await client.quota();
    expect([quota.usedFiles, quota.maxFiles, quota.remainFiles]).toEqual([4, 1000, 996]);
    expect(sim.retained().files).toBe(4);
  });

  it("refuses with {success:false, code, msg} as typed errors: type, size, quota, remote URL", async () => {
    const { client } = await start({ maxFileBytes: 4096, maxFiles: 1 });
    const pdf = await failure(client.uploadBase64(pdfBytes().toString("base64")));
    expect([pdf.constructor, pdf.status, pdf.code]).toEqual([EvolinkValidationError, 400, "40002"]);
    const path = join(dir, "big.png");
    writeFileSync(path, largePngBytes(8192));
    const big = await failure(client.uploadStream(path));
    expect([big.code, big.status]).toEqual(["40001", 400]);
    const remote = await failure(client.uploadUrl("https://example.com/a.png"));
    expect(remote.code).toBe("40004");
    await client.uploadBase64(pngBytes().toString("base64"));
    const full = await failure(client.uploadBase64(pngBytes().toString("base64")));
    expect([full.constructor, full.code]).toEqual([EvolinkInsufficientQuotaError, "40003"]);
  });
});

/** A tiny upstream answering fixed bodies, for shapes the simulator never sends. */
async function rawServer(answer: (path: string) => [number, unknown]) {
  const server: Server = createServer((req, res) => {
    req.resume();
    const [status, json] = answer(new URL(req.url ?? "/", "http://x").pathname);
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(json));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((r) => server.close(r)),
  };
}
