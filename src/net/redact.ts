/**
 * Keeping keys out of text built from upstream bodies: the configured key wherever it
 * appears, anything shaped like one of the provider's keys, and bearer tokens.
 */
const literal = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

interface Patterns {
  key: RegExp;
  bearer: RegExp;
}

// Built once per provider prefix: every string of every upstream body passes through here.
const patterns = new Map<string, Patterns>();
const BEARER = /bearer/i;

function patternsFor(keyPrefix: string): Patterns {
  let p = patterns.get(keyPrefix);
  if (!p) {
    const prefix = literal(keyPrefix);
    p = {
      key: new RegExp(`${prefix}[A-Za-z0-9_-]{4,}`, "g"),
      bearer: new RegExp(`\\b(bearer)\\s+(?!${prefix})[A-Za-z0-9._~+/=-]{8,}`, "gi"),
    };
    patterns.set(keyPrefix, p);
  }
  return p;
}

export function redactSecrets(text: string, apiKey: string | undefined, keyPrefix: string): string {
  let out = apiKey && text.includes(apiKey) ? text.split(apiKey).join("[redacted]") : text;
  // Most strings (ids, statuses, URLs) hold neither pattern's fixed part: nothing to scan for.
  const hasKey = out.includes(keyPrefix);
  const hasBearer = BEARER.test(out);
  if (!hasKey && !hasBearer) return out;
  const p = patternsFor(keyPrefix);
  // Placeholders such as "rvya_sk_..." in upstream hints are not secrets and stay readable.
  if (hasKey) out = out.replace(p.key, `${keyPrefix}[redacted]`);
  return hasBearer ? out.replace(p.bearer, "$1 [redacted]") : out;
}

/** The body as JSON or, when it is not JSON, an envelope quoting the start of it. */
export function jsonOrSnippet(
  bodyText: string,
): { json: unknown } | { envelope: { message?: string } } {
  try {
    return { json: JSON.parse(bodyText) };
  } catch {
    const snippet = bodyText.replace(/\s+/g, " ").trim().slice(0, 160);
    return { envelope: snippet ? { message: `non-JSON response body: ${snippet}` } : {} };
  }
}
