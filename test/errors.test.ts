import { describe, expect, it } from "vitest";
import { z } from "zod";
import { classifyTaskError } from "../src/errors/classify.js";
import { FAILURES, type FailureCategory, type FailureKind } from "../src/errors/failures.js";
import type { ProviderError } from "../src/errors/provider-error.js";
import { ToolError } from "../src/errors/tool-error.js";
import { classify, errorText } from "../src/mcp/error-boundary.js";
import { errorFromResponse as evolinkFromResponse } from "../src/providers/evolink/error-map.js";
import {
  EVOLINK_LABEL,
  EvolinkAuthError,
  EvolinkError,
  EvolinkInsufficientQuotaError,
  EvolinkModelAccessError,
  EvolinkNetworkError,
  EvolinkNotFoundError,
  EvolinkRateLimitedError,
  EvolinkTimeoutError,
  EvolinkUpstreamError,
  EvolinkValidationError,
} from "../src/providers/evolink/errors.js";
import { errorFromResponse as rivyaFromResponse } from "../src/providers/rivya/error-map.js";
import {
  AuthError,
  IdempotencyConflictError,
  InsufficientCreditsError,
  NetworkError,
  NotFoundError,
  RateLimitedError,
  RIVYA_LABEL,
  RivyaError,
  ScopeDeniedError,
  TimeoutError,
  UpstreamUnavailableError,
  ValidationError,
} from "../src/providers/rivya/errors.js";

const CATEGORIES: FailureCategory[] = [
  "invalid_request",
  "insufficient_credits",
  "rate_limited",
  "content_rejected",
  "upstream_unavailable",
  "generation_failed",
  "not_found",
  "auth",
  "cancelled",
  "confirmation_required",
  "in_progress",
  "internal",
];
const KINDS = Object.keys(FAILURES) as FailureKind[];

describe("the failure table", () => {
  it.each(KINDS)("%s has a public category, a retryable flag and a next step", (kind) => {
    const rule = FAILURES[kind];
    expect(CATEGORIES).toContain(rule.category);
    expect(typeof rule.retryable).toBe("boolean");
    for (const provider of [RIVYA_LABEL, EVOLINK_LABEL]) {
      const hint = rule.hint({ provider, code: "some_code", ref: "", retryAfterSeconds: 3 });
      expect(hint).toMatch(/^\S.*\.$/);
    }
  });

  it("holds every kind the two providers' error classes can have", () => {
    const init = { code: "x" };
    const rivya: (new (m: string, i: { code: string }) => ProviderError)[] = [
      RivyaError,
      AuthError,
      ScopeDeniedError,
      ValidationError,
      InsufficientCreditsError,
      NotFoundError,
      IdempotencyConflictError,
      RateLimitedError,
      UpstreamUnavailableError,
      NetworkError,
      TimeoutError,
    ];
    const evolink: (new (m: string, i: { code: string }) => ProviderError)[] = [
      EvolinkError,
      EvolinkAuthError,
      EvolinkValidationError,
      EvolinkInsufficientQuotaError,
      EvolinkModelAccessError,
      EvolinkNotFoundError,
      EvolinkRateLimitedError,
      EvolinkUpstreamError,
      EvolinkNetworkError,
      EvolinkTimeoutError,
    ];
    const errors = [
      ...[...rivya, ...evolink].map((C) => new C("m", init)),
      new AuthError("m", { code: "api_key_missing" }),
      new EvolinkAuthError("m", { code: "api_key_missing" }),
    ];
    for (const e of errors) {
      expect(KINDS).toContain(e.kind);
      expect(e.retryable).toBe(FAILURES[e.kind].retryable);
    }
  });
});

describe("the boundary words Rivya's errors as before", () => {
  const ref = { requestId: "req_1" };
  const msg = "Rivya POST /generations: bad (HTTP 400). Fix it.";
  it.each([
    [
      new AuthError("x", { code: "api_key_invalid", ...ref }),
      "auth",
      false,
      "Rivya refused the API key (api_key_invalid) (Rivya request req_1). Check RIVYA_API_KEY, or create a new key in Rivya Settings.",
    ],
    [
      new AuthError("x", { code: "api_key_missing" }),
      "auth",
      false,
      "RIVYA_API_KEY is not set on this server, so it cannot call Rivya (list_models works without it). Set RIVYA_API_KEY (rvya_sk_…) in the server's environment or the host's MCP config and restart the server, or try --demo.",
    ],
    [
      new ScopeDeniedError("x", { code: "api_scope_denied", ...ref }),
      "auth",
      false,
      "The API key lacks the scope for this call (Rivya request req_1). Create a new key with all v1 scopes in Rivya Settings.",
    ],
    [
      new ValidationError(msg, { code: "validation_failed", ...ref }),
      "invalid_request",
      false,
      `${msg} (Rivya request req_1)`,
    ],
    [new IdempotencyConflictError(msg, { code: "c" }), "invalid_request", false, msg],
    [
      new InsufficientCreditsError("x", { code: "insufficient_credits", ...ref }),
      "insufficient_credits",
      false,
      "Not enough Rivya credits for this call (Rivya request req_1). Top up the account, or choose a cheaper model (list_models shows costs).",
    ],
    [
      new NotFoundError(msg, { code: "not_found", ...ref }),
      "not_found",
      false,
      `${msg} (Rivya request req_1)`,
    ],
    [
      new RateLimitedError("x", { code: "rate_limited", ...ref }),
      "rate_limited",
      true,
      "Rivya is rate limiting this key (Rivya request req_1). Wait 10 s, then retry.",
    ],
    [
      new UpstreamUnavailableError("x", { code: "public_api_disabled", ...ref }),
      "upstream_unavailable",
      true,
      "Rivya could not be reached or answered with an error (public_api_disabled) (Rivya request req_1). Retry in a little while.",
    ],
    [
      new NetworkError("x", { code: "network_error" }),
      "upstream_unavailable",
      true,
      "Rivya could not be reached or answered with an error (network_error). Retry in a little while.",
    ],
    [
      new TimeoutError("x", { code: "timeout" }),
      "upstream_unavailable",
      true,
      "Rivya could not be reached or answered with an error (timeout). Retry in a little while.",
    ],
    [
      new RivyaError("x", { code: "unexpected_response" }),
      "upstream_unavailable",
      true,
      "Rivya could not be reached or answered with an error (unexpected_response). Retry in a little while.",
    ],
  ] as const)("%s", (err, category, retryable, message) => {
    expect(classify(err)).toEqual({ category, retryable, message });
  });

  it("passes a retry-after on retryable errors only", () => {
    const wait = { code: "rate_limited", retryAfterSeconds: 7 };
    expect(classify(new RateLimitedError("x", wait))).toMatchObject({
      retryAfterSeconds: 7,
      message: "Rivya is rate limiting this key. Wait 7 s, then retry.",
    });
    expect(classify(new UpstreamUnavailableError("x", wait)).retryAfterSeconds).toBe(7);
    expect(classify(new ValidationError("x", wait))).not.toHaveProperty("retryAfterSeconds");
  });

  it("keeps the next step in Rivya's own messages from the table", () => {
    const env = (code: string) => JSON.stringify({ error: { code, message: "no" } });
    const ctx = { method: "POST", path: "/generations" };
    const e = rivyaFromResponse({ status: 400, bodyText: env("validation_failed") }, ctx);
    expect(e.message).toBe(
      "Rivya POST /generations: no (HTTP 400, validation_failed). Fix the request; sending it unchanged will fail again.",
    );
  });
});

describe("Rivya and EvoLink errors of the same kind classify the same way", () => {
  const pairs = [
    [AuthError, EvolinkAuthError, "unauthorized"],
    [AuthError, EvolinkAuthError, "api_key_missing"],
    [ValidationError, EvolinkValidationError, "bad"],
    [InsufficientCreditsError, EvolinkInsufficientQuotaError, "no_money"],
    [NotFoundError, EvolinkNotFoundError, "gone"],
    [RateLimitedError, EvolinkRateLimitedError, "slow"],
    [UpstreamUnavailableError, EvolinkUpstreamError, "down"],
    [NetworkError, EvolinkNetworkError, "network_error"],
    [TimeoutError, EvolinkTimeoutError, "timeout"],
    [RivyaError, EvolinkError, "unexpected_response"],
  ] as const;
  it.each(pairs)("%o and %o (%s)", (R, E, code) => {
    const a = classify(new R("m", { code, retryAfterSeconds: 5 }));
    const b = classify(new E("m", { code, retryAfterSeconds: 5 }));
    expect([b.category, b.retryable, b.retryAfterSeconds]).toEqual([
      a.category,
      a.retryable,
      a.retryAfterSeconds,
    ]);
    // The table's own sentences name the provider that failed.
    if (b.message !== "m") expect(b.message).toMatch(/^(?!.*(Rivya|RIVYA)).*EvoLink/);
  });

  it("EvoLink's refusals end with the table's next step; an in-doubt create never counts as 'created nothing'", () => {
    const body = JSON.stringify({
      error: { code: "invalid_request", message: "Bad", param: "prompt" },
    });
    const ctx = {
      method: "POST",
      path: "/v1/videos/generations",
      apiKey: "sk-test-key-123",
      isCreate: true,
    };
    const refused = evolinkFromResponse(
      { status: 400, bodyText: body, retryAfterSeconds: undefined },
      ctx,
    );
    expect(refused.message).toBe(
      "EvoLink POST /v1/videos/generations failed: HTTP 400 invalid_request: Bad (field: prompt). Fix the request; sending it unchanged will fail again. The task was certainly not created; nothing was charged.",
    );
    expect(refused.earlierAttemptMayHaveActed).toBe(false);
    const doubt = evolinkFromResponse(
      { status: 500, bodyText: "", retryAfterSeconds: undefined },
      ctx,
    );
    expect([doubt.kind, doubt.earlierAttemptMayHaveActed]).toEqual(["upstream_unavailable", true]);
    expect(classify(doubt).category).toBe("upstream_unavailable");
  });
});

describe("task failures", () => {
  it("words Rivya's as before", () => {
    expect(classifyTaskError({ code: "generation_failed", message: "Boom." })).toEqual({
      category: "generation_failed",
      retryable: true,
      message: "Boom. The credits were refunded; the same request may succeed if submitted again.",
    });
    expect(classifyTaskError({ code: "generation_failed", message: "Blocked by safety." })).toEqual(
      {
        category: "content_rejected",
        retryable: false,
        message:
          "Blocked by safety. Rephrase the prompt or change the reference before trying again.",
      },
    );
    expect(classifyTaskError({ code: "content_rejected", message: "No." }).category).toBe(
      "content_rejected",
    );
  });

  it.each([
    ["content_policy_violation", "content_rejected", false],
    ["invalid_parameters", "invalid_request", false],
    ["image_dimension_mismatch", "invalid_request", false],
    ["image_processing_error", "invalid_request", false],
    ["request_cancelled", "cancelled", true],
    ["generation_timeout", "generation_failed", true],
    ["quota_exceeded", "rate_limited", true],
    ["resource_exhausted", "rate_limited", true],
    ["generation_failed_no_content", "generation_failed", true],
    ["service_unavailable", "generation_failed", true],
    ["unknown_error", "generation_failed", true],
    ["constructor", "generation_failed", true],
  ] as const)("EvoLink's %s is %s, retryable %s, with a next step", (code, category, retryable) => {
    const c = classifyTaskError({ code, message: "It failed." }, EVOLINK_LABEL);
    expect([c.category, c.retryable]).toEqual([category, retryable]);
    expect(c.message).toMatch(/^It failed\. \S.+\.$/);
  });
});

describe("the boundary's own cases", () => {
  it("passes ToolErrors through, rewrites zod, names cancellations and hides the rest", () => {
    expect(classify(new ToolError("Wait.", "in_progress", true, 2))).toEqual({
      category: "in_progress",
      retryable: true,
      retryAfterSeconds: 2,
      message: "Wait.",
    });
    const zod = z.object({ a: z.string() }).safeParse({ a: 1 });
    expect(classify(zod.error)).toMatchObject({ category: "invalid_request", retryable: false });
    const abort = Object.assign(new Error("x"), { name: "AbortError" });
    expect(classify(abort)).toEqual({
      category: "cancelled",
      retryable: true,
      message: "The call was cancelled.",
    });
    expect(errorText(classify(new Error("secret stack")))).toBe(
      "rivya-mcp hit an unexpected internal error; the details are in its log.\n[category: internal; retryable: false]",
    );
  });
});
