/**
 * Each model's settings as an agent reads them from list_models: every key with its JSON
 * type, allowed values, default and description, list and object fields nested the same
 * way, and the cross-field rules. tools/list stays the same size as the catalogue grows
 * because this, not a per-model schema there, is where the settings are published.
 */
import * as z from "zod";
import type { ModelTable, ParamSpec } from "./types.js";
import { describeAllowed, naturalDefault } from "./values.js";

const scalar = z.union([z.string(), z.number(), z.boolean()]);

export interface SettingView {
  key: string;
  type: "string" | "integer" | "number" | "boolean" | "array" | "object";
  required: boolean;
  default: string | number | boolean | null;
  allowed: string;
  options?: (string | number | boolean)[] | undefined;
  min?: number | undefined;
  max?: number | undefined;
  max_length?: number | undefined;
  min_items?: number | undefined;
  max_items?: number | undefined;
  fields?: SettingView[] | undefined;
  description: string;
}

export const settingViewSchema: z.ZodType<SettingView> = z.object({
  key: z.string(),
  type: z.enum(["string", "integer", "number", "boolean", "array", "object"]),
  required: z.boolean(),
  default: scalar.nullable(),
  allowed: z.string(),
  options: z.array(scalar).optional(),
  min: z.number().optional(),
  max: z.number().optional(),
  max_length: z.number().optional(),
  min_items: z.number().optional(),
  max_items: z.number().optional(),
  get fields() {
    return z.array(settingViewSchema).optional();
  },
  description: z.string(),
});

export function viewSetting(p: ParamSpec): SettingView {
  const natural = naturalDefault(p);
  const base = {
    key: p.key,
    required: p.required,
    default: natural === undefined ? null : (natural as string | number | boolean),
    allowed: describeAllowed(p),
    description: p.description,
  };
  switch (p.type) {
    case "number":
      return { ...base, type: "number", min: p.min, max: p.max };
    case "text":
      return p.maxLength === undefined
        ? { ...base, type: "string" }
        : { ...base, type: "string", max_length: p.maxLength };
    case "list":
      return {
        ...base,
        type: "array",
        min_items: p.minItems,
        max_items: p.maxItems,
        fields: p.fields.map(viewSetting),
      };
    case "object":
      return { ...base, type: "object", fields: p.fields.map(viewSetting) };
  }
  if (typeof natural === "boolean") return { ...base, type: "boolean", options: [false, true] };
  if (typeof natural === "number")
    return { ...base, type: "integer", options: p.options.map(Number) };
  return { ...base, type: "string", options: [...p.options] };
}

/** One setting in a sentence: "duration: an integer from 3 to 15 (default 5)". */
function settingInWords(p: ParamSpec): string {
  const natural = naturalDefault(p);
  const note =
    natural !== undefined ? ` (default ${String(natural)})` : p.required ? " (required)" : "";
  return `${p.key}: ${describeAllowed(p)}${note}`;
}

/** A model's settings and rules as lines of text, for clients that read only the text. */
export function settingsInWords(model: ModelTable): string[] {
  const lines = [`  params: ${model.params.map(settingInWords).join("; ") || "none"}`];
  if (model.rules?.length) lines.push(`  rules: ${model.rules.join(" ")}`);
  return lines;
}
