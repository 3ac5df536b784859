/**
 * Validation of `POST /api/v1/generations` bodies by walking the model table: no
 * per-model code, so a new table is validated the moment it is listed in the catalog.
 * Every message names the field and what is allowed (rivya-api.md §15).
 */

import { isPlainObject } from "../../../canonical-json.js";
import { findModel } from "../../../catalog/index.js";
import { promptLength } from "../../../catalog/schema.js";
import type { ModelTable, ParamSpec } from "../../../catalog/types.js";
import { ApiError, invalid } from "../../../simulator-kit/http.js";

const TOP_LEVEL_FIELDS = ["model", "prompt", "params", "client_request_id"];
const REFS = "referenceMediaItems";

export interface ValidGeneration {
  model: ModelTable;
  prompt: string;
  /** The params as sent, with the table's defaults filled in for the ones left out. */
  params: Record<string, unknown>;
}

const quoted = (values: readonly string[]) => values.map((v) => `"${v}"`).join(", ");

/**
 * The model named `id`, or the 400 to report (returned, not thrown, so upload-size
 * callbacks can use it too): names the requested id and every available one.
 */
export function lookupModel(id: unknown, models: readonly ModelTable[]): ModelTable | ApiError {
  const model = typeof id === "string" ? findModel(id, models) : undefined;
  if (model) return model;
  const what = typeof id === "string" ? `model "${id}" is not available` : "model is required";
  return invalid(`${what}; one of ${quoted(models.map((m) => m.id))}`);
}

export function validateGeneration(body: unknown, models: readonly ModelTable[]): ValidGeneration {
  if (!isPlainObject(body)) throw invalid("request body must be a JSON object");
  if ("files" in body) {
    throw invalid(
      "files is not accepted at the top level; send references in params.referenceMediaItems",
    );
  }
  for (const field of Object.keys(body)) {
    if (!TOP_LEVEL_FIELDS.includes(field)) {
      throw invalid(`unknown field ${field}; allowed fields: ${TOP_LEVEL_FIELDS.join(", ")}`);
    }
  }
  const model = lookupModel(body.model, models);
  if (model instanceof ApiError) throw model;
  const prompt = body.prompt;
  if (typeof prompt !== "string" || prompt.trim() === "") {
    throw invalid("prompt is required and must be a non-empty string");
  }
  const length = promptLength(prompt);
  if (length > model.maxPromptLength) {
    throw invalid(
      `prompt is ${length} characters; ${model.id} allows at most ${model.maxPromptLength}`,
    );
  }
  if (body.client_request_id !== undefined && typeof body.client_request_id !== "string") {
    throw invalid("client_request_id must be a string");
  }
  const params = body.params ?? {};
  checkParams(model, params);
  return { model, prompt, params: withDefaults(model, params as Record<string, unknown>) };
}

function withDefaults(model: ModelTable, params: Record<string, unknown>): Record<string, unknown> {
  const defaults = model.params.flatMap((p) =>
    p.default === undefined ? [] : [[p.key, p.default]],
  );
  return { ...Object.fromEntries(defaults), ...params };
}

function checkParams(model: ModelTable, params: unknown): void {
  if (!isPlainObject(params)) throw invalid("params must be an object");
  const allowed = model.params.map((p) => p.key);
  if (model.referenceMedia) allowed.push(REFS);
  for (const [key, value] of Object.entries(params)) {
    if (key === REFS) {
      checkReferences(model, value);
      continue;
    }
    const spec = model.params.find((p) => p.key === key);
    if (!spec) {
      throw invalid(
        `params.${key} is not a parameter of ${model.id}; allowed: ${allowed.join(", ") || "none"}`,
      );
    }
    checkValue(spec, value);
  }
  for (const spec of model.params) {
    if (spec.required && !(spec.key in params)) throw invalid(`params.${spec.key} is required`);
  }
}

function checkValue(spec: ParamSpec, value: unknown): void {
  const field = `params.${spec.key}`;
  switch (spec.type) {
    case "select":
      if (typeof value === "string" && spec.options.includes(value)) return;
      throw invalid(
        `${field} must be one of ${quoted(spec.options)}` +
          (spec.options.includes(String(value)) ? " (select values are sent as strings)" : ""),
      );
    case "number":
      if (typeof value === "number" && value >= spec.min && value <= spec.max) return;
      throw invalid(`${field} must be a number from ${spec.min} to ${spec.max}`);
    case "text":
      if (typeof value === "string") return;
      throw invalid(`${field} must be a string`);
  }
}

function checkReferences(model: ModelTable, value: unknown): void {
  const rules = model.referenceMedia;
  if (!rules) throw invalid(`${model.id} does not accept reference media (params.${REFS})`);
  if (!Array.isArray(value)) throw invalid(`params.${REFS} must be an array of objects with a url`);
  if (value.length > rules.maxFiles) {
    throw invalid(
      `params.${REFS} has ${value.length} items; ${model.id} accepts at most ${rules.maxFiles}`,
    );
  }
  const kinds = rules.kinds.map((k) => k.kind);
  value.forEach((item: unknown, i) => {
    const field = `params.${REFS}[${i}]`;
    if (
      !isPlainObject(item) ||
      typeof item.url !== "string" ||
      !/^https?:\/\/\S+$/.test(item.url)
    ) {
      throw invalid(`${field} must be an object with a url (an http(s) URL from the Files API)`);
    }
    const rule = rules.kinds.find((k) => k.kind === item.kind);
    if (!rule) throw invalid(`${field}.kind must be one of ${quoted(kinds)} for ${model.id}`);
    const mime = item.mimeType;
    if (mime !== undefined && (typeof mime !== "string" || !rule.mimeTypes.includes(mime))) {
      throw invalid(`${field}.mimeType must be one of ${quoted(rule.mimeTypes)}`);
    }
  });
}
