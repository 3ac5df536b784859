/**
 * Derives the checks the tools need from the model tables: zod schemas that accept the
 * natural JSON an agent sends ("duration": 10, "sound": true, "shots": [{…}]), normalise it
 * to the upstream form (select values as strings), and refuse anything else with a message
 * naming the field (list items by index) and what it allows. Nothing here names a model.
 */
import * as z from "zod";
import { MEDIA_KINDS } from "./files-policy.js";
import type { ModelTable, ParamSpec, SelectParam } from "./types.js";
import {
  contiguousRange,
  describeAllowed,
  fillDefaults,
  isBooleanSelect,
  isNumericSelect,
  promptLength,
} from "./values.js";

// The words and natural-form helpers live in values.ts; callers keep importing them from here.
export {
  describeAllowed,
  effectiveSettings,
  naturalDefault,
  naturalValue,
  promptLength,
  ruleProblems,
  settingsLine,
} from "./values.js";

// Accept the upstream string form too ("5", "true"), so docs-shaped calls still work.
const fromNumericString = (v: unknown) =>
  typeof v === "string" && v.trim() !== "" && !Number.isNaN(Number(v)) ? Number(v) : v;
const fromBooleanString = (v: unknown) => (v === "true" ? true : v === "false" ? false : v);

type ErrorFn = (issue: { path?: PropertyKey[] | undefined }) => string;

/** ["shots", 1, "duration"] → "params.shots[1].duration", as the agent wrote it. */
function paramPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (s, k) => (typeof k === "number" ? `${s}[${k}]` : `${s}.${String(k)}`),
    "params",
  );
}

/** The message for a bad value: where it is (list items by index) and what is allowed. */
function mustBe(model: ModelTable, allowed: string, at: PropertyKey[]): ErrorFn {
  return (issue) =>
    `${paramPath(issue.path?.length ? issue.path : at)} must be ${allowed} for ${model.id}`;
}

function selectSchema(p: SelectParam, error: ErrorFn): z.ZodType {
  if (isBooleanSelect(p)) {
    return z.preprocess(fromBooleanString, z.boolean({ error })).transform(String);
  }
  if (isNumericSelect(p)) {
    const values = p.options.map(Number);
    const range = contiguousRange(values);
    const inner = range
      ? z.number({ error }).int({ error }).min(range[0], { error }).max(range[1], { error })
      : z.literal(values, { error });
    return z.preprocess(fromNumericString, inner).transform(String);
  }
  return z.enum(p.options as [string, ...string[]], { error });
}

/** A strict object of fields (a list item or an object param), naming unknown fields. */
function fieldsSchema(
  model: ModelTable,
  fields: readonly ParamSpec[],
  at: PropertyKey[],
  notObject: ErrorFn,
): z.ZodType {
  const shape = Object.fromEntries(
    fields.map((f) => [f.key, paramSchema(model, f, [...at, f.key])]),
  );
  const allowed = fields.map((f) => f.key).join(", ");
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === "unrecognized_keys"
        ? `Unknown fields in ${paramPath(issue.path?.length ? issue.path : at)} for ${model.id}: ${issue.keys.join(", ")}. Allowed: ${allowed}`
        : notObject(issue),
  });
}

function valueSchema(model: ModelTable, p: ParamSpec, at: PropertyKey[]): z.ZodType {
  const error = mustBe(model, describeAllowed(p), at);
  switch (p.type) {
    case "select":
      return selectSchema(p, error);
    case "number":
      return z.preprocess(
        fromNumericString,
        z.number({ error }).min(p.min, { error }).max(p.max, { error }),
      );
    case "text": {
      const max = p.maxLength;
      const text = z.string({ error });
      return max === undefined ? text : text.refine((t) => promptLength(t) <= max, { error });
    }
    case "list": {
      const item = `an object {${p.fields.map((f) => `${f.key}: ${describeAllowed(f)}`).join("; ")}}`;
      return z
        .array(fieldsSchema(model, p.fields, at, mustBe(model, item, at)), { error })
        .min(p.minItems, { error })
        .max(p.maxItems, { error });
    }
    case "object":
      return fieldsSchema(model, p.fields, at, error);
  }
}

/** One param's schema; `at` is where it sits under params (a list item's field: [list, key]). */
export function paramSchema(
  model: ModelTable,
  p: ParamSpec,
  at: PropertyKey[] = [p.key],
): z.ZodType {
  const schema = valueSchema(model, p, at);
  return p.required ? schema : schema.optional();
}

/** Strict per-model params object; unknown keys are refused with the allowed ones named. */
export function paramsSchema(model: ModelTable) {
  const shape = Object.fromEntries(model.params.map((p) => [p.key, paramSchema(model, p)]));
  const allowed = model.params.map((p) => p.key).join(", ");
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === "unrecognized_keys"
        ? `Unknown params for ${model.id}: ${issue.keys.join(", ")}. Allowed: ${allowed}` +
          (issue.keys.includes("referenceMediaItems")
            ? " (pass references as reference_media)"
            : "")
        : undefined,
  });
}

/** Fills the table defaults (upstream form) under the values given, so requests are explicit. */
export function withDefaults(
  model: ModelTable,
  params: Record<string, unknown>,
): Record<string, unknown> {
  return fillDefaults(model.params, params);
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
