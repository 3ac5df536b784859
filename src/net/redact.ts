/**
 * Keeping keys out of text built from upstream bodies: the configured key wherever it
 * appears, anything shaped like one of the provider's keys, and bearer tokens.
 */
const literal = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

export function redactSecrets(text: string, apiKey: string | undefined, keyPrefix: string): string {
  let out = apiKey ? text.split(apiKey).join("[redacted]") : text;
  const prefix = literal(keyPrefix);
  // Placeholders such as "rvya_sk_..." in upstream hints are not secrets and stay readable.
  out = out.replace(new RegExp(`${prefix}[A-Za-z0-9_-]{4,}`, "g"), `${keyPrefix}[redacted]`);
  return out.replace(
    new RegExp(`\\b(bearer)\\s+(?!${prefix})[A-Za-z0-9._~+/=-]{8,}`, "gi"),
    "$1 [redacted]",
  );
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
