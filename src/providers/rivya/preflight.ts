/**
 * Checks made before any byte goes out. A call that cannot succeed (no key, an empty id, a
 * key or idempotency key that is not header-safe) fails here, locally and for free, instead
 * of spending a request or making undici throw a less useful error.
 */
import { AuthError, ValidationError } from "./errors.js";

/** Visible ASCII only: what an HTTP header value can carry without escaping. */
const HEADER_SAFE = /^[\x21-\x7e]+$/;
const MAX_IDEMPOTENCY_KEY = 255;

/** `https://rivya.ai` and `https://rivya.ai/api/v1` both give `https://rivya.ai/api/v1`. */
export function apiBaseOf(baseUrl: string): string {
  const url = new URL(baseUrl);
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new TypeError(`Rivya baseUrl must be http(s), got ${url.protocol}`);
  }
  const path = url.pathname.replace(/\/+$/, "").replace(/\/api\/v1$/, "");
  return `${url.origin}${path}/api/v1`;
}

export function requireApiKey(
  apiKey: string | undefined,
  where: string,
  idempotencyKey?: string,
): string {
  if (!apiKey) {
    throw new AuthError(
      `Rivya ${where} needs an API key (rvya_sk_...), and none is configured. Listing models works without one.`,
      { code: "api_key_missing", idempotencyKey },
    );
  }
  if (!HEADER_SAFE.test(apiKey)) {
    throw new AuthError("The configured Rivya API key has characters not allowed in a header.", {
      code: "api_key_invalid",
      idempotencyKey,
    });
  }
  return apiKey;
}

export function checkIdempotencyKey(key: string): string {
  if (!HEADER_SAFE.test(key) || key.length > MAX_IDEMPOTENCY_KEY) {
    throw new ValidationError(
      `Rivya: idempotencyKey must be 1-${MAX_IDEMPOTENCY_KEY} visible ASCII characters.`,
      { code: "validation_failed" },
    );
  }
  return key;
}

/** `/generations/<id>` with the id percent-encoded, so `a/b` cannot reach another route. */
export function idPath(prefix: string, id: string, what: string): string {
  if (typeof id !== "string" || id.trim() === "") {
    throw new ValidationError(`Rivya: ${what} must be a non-empty string.`, {
      code: "validation_failed",
    });
  }
  return `${prefix}/${encodeURIComponent(id)}`;
}
