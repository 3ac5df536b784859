/**
 * Reading EvoLink error bodies and keeping the key out of everything built from them. The
 * envelope is `{"error":{code,message,type,param?}}` with `code` a string on current pages and
 * an integer (plus `fallback_suggestion`) on older ones (evolink-api.md §9); the Files API
 * answers `{success:false, code:<4xxxx>, msg}` instead (§12).
 */

import { isPlainObject } from "../../canonical-json.js";
import { jsonOrSnippet, redactSecrets } from "../../net/redact.js";

/** Removes the configured key, anything shaped like an EvoLink key, and bearer tokens. */
export function scrubSecrets(text: string, apiKey?: string): string {
  return redactSecrets(text, apiKey, "sk-evo-");
}

/** Every string in a parsed body, scrubbed. */
export function scrubDeep(value: unknown, apiKey?: string): unknown {
  if (typeof value === "string") return scrubSecrets(value, apiKey);
  if (Array.isArray(value)) return value.map((v) => scrubDeep(v, apiKey));
  if (!isPlainObject(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrubDeep(v, apiKey)]));
}

export interface Envelope {
  code?: string;
  message?: string;
  type?: string;
  param?: string;
  fallbackSuggestion?: string;
}

const text = (v: unknown): string | undefined => (typeof v === "string" && v ? v : undefined);

/** A string code as is, an integer code as its digits; anything else is no code. */
export function codeOf(v: unknown): string | undefined {
  if (typeof v === "number" && Number.isInteger(v)) return String(v);
  return text(v);
}

/** Tolerates the nested, flat (Files API) and integer-code variants, and non-JSON bodies. */
export function parseErrorEnvelope(bodyText: string): Envelope {
  const parsed = jsonOrSnippet(bodyText);
  if (!("json" in parsed)) return parsed.envelope;
  const json = parsed.json;
  if (!isPlainObject(json)) return {};
  const e = isPlainObject(json.error) ? json.error : json;
  const fields = {
    code: codeOf(e.code),
    message: text(e.message) ?? text(e.msg) ?? text(json.error),
    type: text(e.type),
    param: text(e.param),
    fallbackSuggestion: text(e.fallback_suggestion),
  };
  // Absent fields are left out, not set to undefined (exactOptionalPropertyTypes).
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as Envelope;
}
