/** Pure parts of the Rivya client: Retry-After, backoff, retry decisions, error mapping. */
import { describe, expect, it } from "vitest";
import { abortableSleep } from "../src/net/abort.js";
import {
  type AttemptOutcome,
  computeBackoffMs,
  DEFAULT_RETRY_POLICY,
  decideRetry,
  parseRetryAfter,
  resolveRetryPolicy,
} from "../src/net/retry.js";
import { classifyTransportError } from "../src/net/transport-failure.js";
import { parseErrorEnvelope, scrubSecrets } from "../src/providers/rivya/envelope.js";
import { errorFromResponse } from "../src/providers/rivya/error-map.js";
import {
  AuthError,
  IdempotencyConflictError,
  InsufficientCreditsError,
  NotFoundError,
  RateLimitedError,
  RivyaError,
  ScopeDeniedError,
  UpstreamUnavailableError,
  ValidationError,
} from "../src/providers/rivya/errors.js";
import { parseFile, parseModels, parseTask } from "../src/providers/rivya/parse.js";

const KEY = "rvya_sk_unit_SECRET_123";
const ctx = { method: "POST", path: "/api/v1/generations", apiKey: KEY };

describe("parseRetryAfter", () => {
  const now = Date.parse("2026-05-11T00:00:00.000Z");
  it("reads delay-seconds", () => {
    expect(parseRetryAfter("3", now)).toBe(3);
    expect(parseRetryAfter(" 0 ", now)).toBe(0);
    expect(parseRetryAfter("1.5", now)).toBe(1.5);
    expect(parseRetryAfter(["7", "9"], now)).toBe(7);
  });
  it("reads an HTTP-date relative to now, past dates as 0", () => {
    expect(parseRetryAfter("Mon, 11 May 2026 00:00:05 GMT", now)).toBe(5);
    expect(parseRetryAfter("Sunday, 10-May-26 23:59:00 GMT", now)).toBe(0);
  });
  it("ignores garbage", () => {
    for (const v of ["", "soon", "-1", "1e3", "12abc", "x 12", undefined, null]) {
      expect(parseRetryAfter(v, now)).toBeUndefined();
    }
    expect(parseRetryAfter("Mon, not a date GMT", now)).toBeUndefined();
  });
});

describe("backoff and decisions", () => {
  const policy = resolveRetryPolicy();
  it("stays within [0, min(max, base*2^(n-1))]", () => {
    for (let attempt = 1; attempt <= 10; attempt++) {
      const cap = Math.min(5000, 300 * 2 ** (attempt - 1));
      expect(computeBackoffMs(attempt, policy, () => 0)).toBe(0);
      expect(computeBackoffMs(attempt, policy, () => 0.999999)).toBeLessThan(cap);
      expect(computeBackoffMs(attempt, policy, () => 0.999999)).toBeGreaterThanOrEqual(cap - 1);
    }
  });
  it("resolves defaults and rejects nonsense", () => {
    expect(resolveRetryPolicy({ maxAttempts: 2 })).toMatchObject({
      ...DEFAULT_RETRY_POLICY,
      maxAttempts: 2,
    });
    expect(() => resolveRetryPolicy({ maxAttempts: 0 })).toThrow(RangeError);
  });

  const at = (
    outcome: AttemptOutcome,
    safety: "idempotent" | "unsafe",
    attempt = 1,
    elapsedMs = 0,
  ) => decideRetry(outcome, { safety, attempt, elapsedMs, policy }, () => 0.5);
  const status = (s: number, retryAfterSeconds?: number): AttemptOutcome => ({
    type: "status",
    status: s,
    retryAfterSeconds,
  });
  const dropped: AttemptOutcome = { type: "transport", phase: "sent", transient: true };
  const refused: AttemptOutcome = { type: "transport", phase: "connect", transient: true };

  it("retries idempotent requests on retry statuses and any transient network error", () => {
    for (const s of [429, 500, 502, 503, 504]) expect(at(status(s), "idempotent").retry).toBe(true);
    expect(at(status(400), "idempotent")).toEqual({ retry: false, why: "not_retryable" });
    expect(at(dropped, "idempotent").retry).toBe(true);
    expect(at({ ...dropped, transient: false }, "idempotent").retry).toBe(false);
  });
  it("retries an unsafe POST only when it certainly was not processed", () => {
    expect(at(status(429), "unsafe").retry).toBe(true);
    expect(at(status(503), "unsafe").retry).toBe(true);
    expect(at(status(500), "unsafe").retry).toBe(false);
    expect(at(status(502), "unsafe").retry).toBe(false);
    expect(at(refused, "unsafe").retry).toBe(true);
    expect(at(dropped, "unsafe").retry).toBe(false);
  });
  it("honours Retry-After, the attempt cap and the time budget", () => {
    expect(at(status(429, 2), "idempotent")).toEqual({ retry: true, delayMs: 2000 });
    expect(at(status(429, 60), "idempotent")).toEqual({
      retry: false,
      why: "retry_after_exceeds_budget",
    });
    expect(at(status(503, 5), "idempotent", 1, 16_000)).toEqual({
      retry: false,
      why: "retry_after_exceeds_budget",
    });
    expect(at(status(503), "idempotent", 4)).toEqual({ retry: false, why: "attempts" });
    expect(at(status(503), "idempotent", 3, 19_900)).toEqual({ retry: false, why: "budget" });
    const off = decideRetry(dropped, {
      safety: "idempotent",
      attempt: 1,
      elapsedMs: 0,
      policy: { ...policy, retryNetworkErrors: false },
    });
    expect(off.retry).toBe(false);
  });
});

describe("transport classification", () => {
  const err = (code: string) => Object.assign(new Error(code), { code });
  it("separates connect-phase from possibly-sent failures", () => {
    expect(classifyTransportError(err("ECONNREFUSED"))).toMatchObject({
      phase: "connect",
      transient: true,
    });
    expect(classifyTransportError(err("UND_ERR_CONNECT_TIMEOUT"))).toMatchObject({
      phase: "connect",
      timeout: true,
    });
    expect(classifyTransportError(err("UND_ERR_SOCKET"))).toMatchObject({
      phase: "sent",
      transient: true,
    });
    expect(classifyTransportError(err("ECONNRESET")).phase).toBe("sent");
    expect(classifyTransportError(err("UND_ERR_HEADERS_TIMEOUT"))).toMatchObject({ timeout: true });
    expect(classifyTransportError(err("CERT_HAS_EXPIRED")).transient).toBe(false);
    const agg = Object.assign(new AggregateError([err("ECONNREFUSED"), err("ECONNREFUSED")]), {});
    expect(classifyTransportError(agg).code).toBe("ECONNREFUSED");
    expect(classifyTransportError(new Error("x", { cause: err("EPIPE") })).code).toBe("EPIPE");
  });
});

describe("error mapping", () => {
  const env = (code: string, message = "boom", extra: object = {}) =>
    JSON.stringify({ error: { code, message, requestId: "req_1", ...extra } });
  const cases: [number, string, new (...a: never[]) => RivyaError][] = [
    [401, "api_key_missing", AuthError],
    [401, "api_key_invalid", AuthError],
    [401, "api_key_revoked", AuthError],
    [401, "api_key_expired", AuthError],
    [403, "api_scope_denied", ScopeDeniedError],
    [400, "validation_failed", ValidationError],
    [402, "insufficient_credits", InsufficientCreditsError],
    [400, "insufficient_credits", InsufficientCreditsError],
    [404, "not_found", NotFoundError],
    [409, "idempotency_conflict", IdempotencyConflictError],
    [429, "rate_limited", RateLimitedError],
    [503, "public_api_disabled", UpstreamUnavailableError],
    [409, "chat_session_conflict", ValidationError],
  ];
  it.each(cases)("HTTP %i %s → its class", (status, code, Cls) => {
    const e = errorFromResponse({ status, bodyText: env(code) }, ctx);
    expect(e).toBeInstanceOf(Cls);
    expect(e).toMatchObject({ code, status, requestId: "req_1" });
    expect(e.message).toContain("boom");
  });
  it("falls back to the status when the code is missing or unknown", () => {
    const by = (status: number, body = "") => errorFromResponse({ status, bodyText: body }, ctx);
    expect(by(401)).toBeInstanceOf(AuthError);
    expect(by(403)).toBeInstanceOf(ScopeDeniedError);
    expect(by(422, env("brand_new_code"))).toBeInstanceOf(ValidationError);
    expect(by(422, env("brand_new_code")).code).toBe("brand_new_code");
    expect(by(404)).toBeInstanceOf(NotFoundError);
    expect(by(429)).toMatchObject({ code: "rate_limited" });
    expect(by(500, "<html>Internal oops</html>")).toBeInstanceOf(UpstreamUnavailableError);
    expect(by(500, "<html>Internal oops</html>").message).toContain("Internal oops");
    expect(by(502, "")).toMatchObject({ code: "upstream_unavailable", status: 502 });
    expect(by(302)).toMatchObject({ code: "unexpected_response" });
  });
  it("tolerates request_id, header request ids, flat and string envelopes", () => {
    expect(
      parseErrorEnvelope(JSON.stringify({ error: { code: "x", request_id: "req_2" } })),
    ).toEqual({
      code: "x",
      requestId: "req_2",
    });
    expect(parseErrorEnvelope(JSON.stringify({ error: "plain text" }))).toEqual({
      message: "plain text",
    });
    expect(parseErrorEnvelope("null")).toEqual({});
    const e = errorFromResponse({ status: 500, bodyText: "", headerRequestId: "req_h" }, ctx);
    expect(e.requestId).toBe("req_h");
  });
  it("carries retryAfterSeconds and the idempotency key", () => {
    const e = errorFromResponse(
      { status: 429, bodyText: env("rate_limited"), retryAfterSeconds: 4 },
      { ...ctx, idempotencyKey: "idem-1" },
    );
    expect(e).toMatchObject({ retryAfterSeconds: 4, idempotencyKey: "idem-1", retryable: true });
    expect(e.message).toContain("Retry in 4 s");
  });
  it("never repeats the API key, even when upstream echoes it", () => {
    const body = env("api_key_invalid", `Key ${KEY} is not valid; Bearer ${KEY}`);
    const e = errorFromResponse({ status: 401, bodyText: body }, ctx);
    expect(e.message).not.toContain(KEY);
    expect(JSON.stringify(e)).not.toContain(KEY);
    expect(scrubSecrets("x rvya_sk_other_value y")).toBe("x rvya_sk_[redacted] y");
  });
});

describe("tolerant parsing", () => {
  const pctx = { method: "GET", path: "/x", status: 200 };
  it("accepts camelCase files and defaults missing fields", () => {
    const f = parseFile(
      {
        id: "file_1",
        url: "u",
        kind: "audio",
        mimeType: "audio/mpeg",
        durationToken: "t",
        durationSeconds: 2,
      },
      pctx,
    );
    expect(f).toMatchObject({
      mimeType: "audio/mpeg",
      durationToken: "t",
      durationSeconds: 2,
      sizeBytes: 0,
    });
  });
  it("rejects garbage tasks clearly", () => {
    expect(() => parseTask({ hello: 1 }, pctx)).toThrow(/not a task/);
    expect(() => parseTask("ok", pctx)).toThrow(RivyaError);
    expect(() => parseTask({ id: "t", status: "weird" }, pctx)).toThrow(/unexpected|not a task/);
  });
  it("reads a bare model array and skips entries without an id", () => {
    expect(parseModels([{ id: "a" }, { nope: 1 }], pctx).map((m) => m.id)).toEqual(["a"]);
    expect(() => parseModels({ object: "list" }, pctx)).toThrow(/no model list/);
  });
});

describe("abortableSleep", () => {
  it("rejects at once on abort even if the injected sleep ignores the signal", async () => {
    const ac = new AbortController();
    const never = () => new Promise<void>(() => {});
    const p = abortableSleep(never, 60_000, ac.signal);
    ac.abort();
    await expect(p).rejects.toMatchObject({ name: "AbortError" });
  });
});
