/**
 * Reading upstream error bodies, and keeping secrets out of anything built from them. The
 * envelope is documented as `{"error":{code,message,requestId}}`, but a proxy or a future
 * version may send `request_id`, a flat object, a string, HTML or nothing at all.
 */

import { jsonOrSnippet, redactSecrets } from "../../net/redact.js";

/** Removes the configured key and anything shaped like a Rivya secret key. */
export function scrubSecrets(text: string, apiKey?: string): string {
  return redactSecrets(text, apiKey, "rvya_sk_");
}

/**
 * Every string in a parsed upstream body, scrubbed. An upstream (or a proxy) that echoes the
 * key in an id, a message or a URL must not carry it into a tool result, a log or the ledger.
 */
export function scrubDeep(value: unknown, apiKey?: string): unknown {
  if (typeof value === "string") return scrubSecrets(value, apiKey);
  if (Array.isArray(value)) return value.map((v) => scrubDeep(v, apiKey));
  if (typeof value !== "object" || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) out[key] = scrubDeep(v, apiKey);
  return out;
}

export interface Envelope {
  code?: string;
  message?: string;
  requestId?: string;
}

const str = (v: unknown): string | undefined => (typeof v === "string" && v ? v : undefined);

/** Reads `{"error":{code,message,requestId|request_id}}`, tolerating flat or string variants. */
export function parseErrorEnvelope(bodyText: string): Envelope {
  const parsed = jsonOrSnippet(bodyText);
  if (!("json" in parsed)) return parsed.envelope;
  const json = parsed.json;
  if (typeof json !== "object" || json === null) return {};
  const outer = json as Record<string, unknown>;
  const inner = outer.error;
  const e =
    typeof inner === "object" && inner !== null ? (inner as Record<string, unknown>) : outer;
  const env: Envelope = {};
  const code = str(e.code);
  const message = str(e.message) ?? str(inner);
  const requestId = str(e.requestId) ?? str(e.request_id) ?? str(outer.requestId);
  if (code) env.code = code;
  if (message) env.message = message;
  if (requestId) env.requestId = requestId;
  return env;
}
