/**
 * Derives everything the tools need from the model tables: zod schemas that accept the
 * natural JSON an agent sends ("duration": 10, "sound": true), normalise it to the
 * upstream form (select values as strings), and publish as JSON Schema via zod's own
 * converter. Nothing here names a model: it only walks the tables.
 */
import { z } from "zod";
import { MEDIA_KINDS } from "./files-policy.js";
import type { ModelTable, ParamSpec, SelectParam } from "./types.js";

const isBooleanSelect = (p: SelectParam) =>
  p.options.length === 2 && p.options.includes("true") && p.options.includes("false");
const isNumericSelect = (p: SelectParam) => p.options.every((o) => /^-?\d+(\.\d+)?$/.test(o));

/** Integer options with no gaps (3…15) publish as a range instead of a long list. */
function contiguousRange(values: number[]): [number, number] | null {
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

/** The allowed values of a param in words, as error messages and docs show them. */
export function describeAllowed(p: ParamSpec): string {
  if (p.type === "number") return `a number from ${p.min} to ${p.max}`;
  if (p.type === "text") return "a string";
  if (isBooleanSelect(p)) return "true or false";
  const range = isNumericSelect(p) ? contiguousRange(p.options.map(Number)) : null;
  if (range) return `an integer from ${range[0]} to ${range[1]}`;
  return `one of ${p.options.join(", ")}`;
}

/** An upstream value in the agent's natural form ("10" → 10, "true" → true, "16:9"). */
export function naturalValue(p: ParamSpec, value: unknown): unknown {
  if (typeof value !== "string" || p.type !== "select") return value;
  if (isBooleanSelect(p)) return value === "true";
  return isNumericSelect(p) ? Number(value) : value;
}

/** The default in the agent's natural form (5, false, "16:9"). */
export const naturalDefault = (p: ParamSpec): unknown => naturalValue(p, p.default);

/** Every setting a request will use (defaults filled in), in the agent's natural form. */
export function effectiveSettings(
  model: ModelTable,
  params: Record<string, unknown>,
): Record<string, unknown> {
  const set = model.params.filter((p) => params[p.key] !== undefined);
  return Object.fromEntries(set.map((p) => [p.key, naturalValue(p, params[p.key])]));
}

/** One setting as a person reads it: "pro", "10 s", "sound on", "cfg scale 0.5". */
function settingWords(p: ParamSpec, value: unknown): string | undefined {
  const name = p.key.replace(/_/g, " ");
  if (typeof value === "boolean") return `${name} ${value ? "on" : "off"}`;
  if (p.type === "text") return undefined; // free text would swamp the line; settings has it
  if (typeof value === "number")
    return /\bseconds\b/i.test(p.description) ? `${value} s` : `${name} ${value}`;
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

// Accept the upstream string form too ("5", "true"), so docs-shaped calls still work.
const fromNumericString = (v: unknown) =>
  typeof v === "string" && v.trim() !== "" && !Number.isNaN(Number(v)) ? Number(v) : v;
const fromBooleanString = (v: unknown) => (v === "true" ? true : v === "false" ? false : v);

type Meta = Record<string, unknown>;

// Metadata goes on the inner schema: JSON Schema for a preprocess pipe is its inner schema.
function selectSchema(p: SelectParam, error: string, meta: Meta): z.ZodType {
  if (isBooleanSelect(p)) {
    return z.preprocess(fromBooleanString, z.boolean({ error }).meta(meta)).transform(String);
  }
  if (isNumericSelect(p)) {
    const values = p.options.map(Number);
    const range = contiguousRange(values);
    const inner = range
      ? z.number({ error }).int({ error }).min(range[0], { error }).max(range[1], { error })
      : z.literal(values, { error });
    return z.preprocess(fromNumericString, inner.meta(meta)).transform(String);
  }
  return z.enum(p.options as [string, ...string[]], { error }).meta(meta);
}

export function paramSchema(model: ModelTable, p: ParamSpec): z.ZodType {
  const error = `params.${p.key} must be ${describeAllowed(p)} for ${model.id}`;
  const meta: Meta = { description: p.description };
  if (p.default !== undefined) meta.default = naturalDefault(p);
  const schema =
    p.type === "select"
      ? selectSchema(p, error, meta)
      : p.type === "number"
        ? z.preprocess(
            fromNumericString,
            z.number({ error }).min(p.min, { error }).max(p.max, { error }).meta(meta),
          )
        : z.string({ error }).meta(meta);
  return p.required ? schema : schema.optional();
}

/** Strict per-model params object; unknown keys are refused with the allowed ones named. */
export function paramsSchema(model: ModelTable) {
  const shape = Object.fromEntries(model.params.map((p) => [p.key, paramSchema(model, p)]));
  const allowed = model.params.map((p) => p.key).join(", ");
  return z
    .strictObject(shape, {
      error: (issue) =>
        issue.code === "unrecognized_keys"
          ? `Unknown params for ${model.id}: ${issue.keys.join(", ")}. Allowed: ${allowed}` +
            (issue.keys.includes("referenceMediaItems")
              ? " (pass references as reference_media)"
              : "")
          : undefined,
    })
    .meta({ title: model.id });
}

/** Fills the table defaults (upstream form) under the values given, so requests are explicit. */
export function withDefaults(
  model: ModelTable,
  params: Record<string, unknown>,
): Record<string, unknown> {
  const defaults = Object.fromEntries(
    model.params.filter((p) => p.default !== undefined).map((p) => [p.key, p.default]),
  );
  return { ...defaults, ...params };
}

export const REFERENCE_URL =
  "reference_media[].url must be the https url returned by upload_reference; upload the file with upload_reference first and pass the item it returns";

/**
 * One reference_media item, as upload_reference returns it. Only the kinds some model
 * accepts are offered, and duration fields only when a model takes video or audio.
 */
export function referenceItemSchema(models: readonly ModelTable[]) {
  const kinds = MEDIA_KINDS.filter((k) =>
    models.some((m) => m.referenceMedia?.kinds.some((r) => r.kind === k)),
  );
  const offered = (kinds.length ? kinds : ["image"]) as [string, ...string[]];
  const base = z.object({
    url: z.url({ protocol: /^https?$/, error: REFERENCE_URL }),
    kind: z.enum(offered, {
      error: `reference_media[].kind must be ${offered.join(" or ")}; pass the item upload_reference returns`,
    }),
    name: z.string().optional(),
    mimeType: z.string().optional(),
  });
  const timed = offered.some((k) => k !== "image");
  return timed
    ? base.extend({ durationSeconds: z.number().optional(), durationToken: z.string().optional() })
    : base;
}
export type ReferenceItemInput = {
  url: string;
  kind: string;
  name?: string | undefined;
  mimeType?: string | undefined;
  durationSeconds?: number | undefined;
  durationToken?: string | undefined;
};
