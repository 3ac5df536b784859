/**
 * A param's values in words and in the agent's natural form, walking the table (lists and
 * objects by their fields). Error messages, list_models, the README and the settings line
 * all read values through these, so they say the same thing.
 */
import type { ModelTable, ParamSpec, SelectParam } from "./types.js";

export const isBooleanSelect = (p: SelectParam) =>
  p.options.length === 2 && p.options.includes("true") && p.options.includes("false");
export const isNumericSelect = (p: SelectParam) =>
  p.options.every((o) => /^-?\d+(\.\d+)?$/.test(o));

/** Integer options with no gaps (3…15) read as a range instead of a long list. */
export function contiguousRange(values: number[]): [number, number] | null {
  if (values.length < 3 || !values.every(Number.isInteger)) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const isContiguous = sorted.every((v, i) => i === 0 || v === (sorted[i - 1] ?? v) + 1);
  return isContiguous ? [sorted[0] ?? 0, sorted[sorted.length - 1] ?? 0] : null;
}

/** Length in Unicode code points: what a person means by "characters" in a prompt limit. */
export function promptLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** "{prompt: a string; duration: an integer from 1 to 15}" */
const fieldsInWords = (fields: readonly ParamSpec[]) =>
  `{${fields.map((f) => `${f.key}: ${describeAllowed(f)}`).join("; ")}}`;

/** The allowed values of a param in words, as error messages and docs show them. */
export function describeAllowed(p: ParamSpec): string {
  switch (p.type) {
    case "number":
      return `a number from ${p.min} to ${p.max}`;
    case "text":
      return p.maxLength === undefined
        ? "a string"
        : `a string of at most ${p.maxLength} characters`;
    case "list": {
      const count = p.minItems === p.maxItems ? `${p.minItems}` : `${p.minItems} to ${p.maxItems}`;
      return `a list of ${count} items, each ${fieldsInWords(p.fields)}`;
    }
    case "object":
      return `an object ${fieldsInWords(p.fields)}`;
  }
  if (isBooleanSelect(p)) return "true or false";
  const range = isNumericSelect(p) ? contiguousRange(p.options.map(Number)) : null;
  if (range) return `an integer from ${range[0]} to ${range[1]}`;
  return `one of ${p.options.join(", ")}`;
}

/** An object's fields read back in natural form; keys the table does not name stay as sent. */
function naturalFields(fields: readonly ParamSpec[], value: unknown): unknown {
  if (!isPlainObject(value)) return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => {
      const spec = fields.find((f) => f.key === k);
      return [k, spec ? naturalValue(spec, v) : v];
    }),
  );
}

/** An upstream value in the agent's natural form ("10" → 10, "true" → true, "16:9"). */
export function naturalValue(p: ParamSpec, value: unknown): unknown {
  if (p.type === "list")
    return Array.isArray(value) ? value.map((item) => naturalFields(p.fields, item)) : value;
  if (p.type === "object") return naturalFields(p.fields, value);
  if (typeof value !== "string" || p.type !== "select") return value;
  if (isBooleanSelect(p)) return value === "true";
  return isNumericSelect(p) ? Number(value) : value;
}

/** The default in the agent's natural form (5, false, "16:9"). */
export const naturalDefault = (p: ParamSpec): unknown => naturalValue(p, p.default);

/** Fills the table defaults (upstream form) under the values given, in list items too. */
export function fillDefaults(
  fields: readonly ParamSpec[],
  values: Record<string, unknown>,
): Record<string, unknown> {
  const filled: Record<string, unknown> = {};
  for (const p of fields) if (p.default !== undefined) filled[p.key] = p.default;
  Object.assign(filled, values);
  for (const p of fields) {
    const v = filled[p.key];
    if (p.type === "object" && isPlainObject(v)) filled[p.key] = fillDefaults(p.fields, v);
    if (p.type === "list" && Array.isArray(v))
      filled[p.key] = v.map((item) => (isPlainObject(item) ? fillDefaults(p.fields, item) : item));
  }
  return filled;
}

/** Every setting a request will use (defaults filled in), in the agent's natural form. */
export function effectiveSettings(
  model: ModelTable,
  params: Record<string, unknown>,
): Record<string, unknown> {
  const set = model.params.filter((p) => params[p.key] !== undefined);
  return Object.fromEntries(set.map((p) => [p.key, naturalValue(p, params[p.key])]));
}

/** One setting as a person reads it: "pro", "10 s", "sound on", "cfg scale 0.5", "3 shots". */
function settingWords(p: ParamSpec, value: unknown): string | undefined {
  const name = p.key.replace(/_/g, " ");
  if (Array.isArray(value)) return `${value.length} ${name}`;
  if (typeof value === "boolean") return `${name} ${value ? "on" : "off"}`;
  // Free text and objects would swamp the line; the settings object has them.
  if (p.type === "text" || p.type === "object") return undefined;
  if (typeof value === "number")
    return /\bseconds\b/i.test(p.description) ? `${value} s` : `${name} ${value}`;
  // "on"/"off" alone says nothing: "sound off".
  if (value === "on" || value === "off") return `${name} ${value}`;
  return String(value);
}

/** "kling-3-0 · pro · 10 s · 9:16 · sound on · 90 credits", in the table's order. */
export function settingsLine(
  model: ModelTable,
  settings: Record<string, unknown>,
  credits: number,
): string {
  const words = model.params.flatMap((p) =>
    p.key in settings ? (settingWords(p, settings[p.key]) ?? []) : [],
  );
  return [model.id, ...words, `${credits} credits`].join(" · ");
}

/** The problems the table's cross-field rules find in a call (none when it has no rules). */
export function ruleProblems(
  model: ModelTable,
  settings: Record<string, unknown>,
  prompt: string,
): readonly string[] {
  return model.validate?.(settings, prompt) ?? [];
}
