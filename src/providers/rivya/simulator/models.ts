/**
 * `GET /api/v1/models` entries, derived from the catalog tables only, so the simulator
 * can never disagree with the schemas the MCP server builds from the same tables.
 */

import { withDefaults } from "../../../catalog/schema.js";
import type { ModelTable, ParamSpec } from "../../../catalog/types.js";
import { rivyaQuote } from "../provider.js";

function paramEntry(p: ParamSpec): Record<string, unknown> {
  return {
    key: p.key,
    type: p.type,
    required: p.required,
    default: p.default ?? null,
    ...(p.type === "select" ? { options: [...p.options] } : {}),
    ...(p.type === "number" ? { min: p.min, max: p.max } : {}),
    ...(p.type === "text" && p.maxLength !== undefined ? { max_length: p.maxLength } : {}),
    ...(p.type === "list" ? { min_items: p.minItems, max_items: p.maxItems } : {}),
    ...(p.type === "list" || p.type === "object" ? { fields: p.fields.map(paramEntry) } : {}),
    description: p.description,
  };
}

/** True when no supported mode works without an upload. */
function needsFilesForEveryMode(m: ModelTable): boolean {
  return m.uploadModes.length > 0 && m.supportedModes.every((mode) => m.uploadModes.includes(mode));
}

function apiInputStatus(m: ModelTable): string {
  if (m.uploadModes.length === 0) return "available_text";
  return needsFilesForEveryMode(m) ? "requires_files_api" : "partial_requires_files";
}

export function apiModel(m: ModelTable): Record<string, unknown> {
  const refs = m.referenceMedia;
  return {
    id: m.id,
    display_name: m.displayName,
    category: m.category,
    runtime: "async_task",
    base_credits: rivyaQuote(m, withDefaults(m, {})).amount,
    billing_type: m.price.billing,
    supported_modes: [...m.supportedModes],
    max_prompt_length: m.maxPromptLength,
    reference_media: refs && {
      max_files: refs.maxFiles,
      kinds: refs.kinds.map((k) => ({
        kind: k.kind,
        max_bytes: k.maxBytes,
        mime_types: [...k.mimeTypes],
      })),
      description: refs.description,
    },
    params: m.params.map(paramEntry),
    api_status: "available",
    api_input_status: apiInputStatus(m),
    supported_api_inputs: [...m.inputs],
    requires_files_api: needsFilesForEveryMode(m),
    requires_upload_for_modes: [...m.uploadModes],
    // References must come from the Files API (rivya-api.md §6), never arbitrary URLs.
    url_input_supported: false,
    file_kinds: refs ? refs.kinds.map((k) => k.kind) : [],
    chat_capabilities: null,
    notices: [],
  };
}

export function modelList(models: readonly ModelTable[]): { object: "list"; data: unknown[] } {
  return { object: "list", data: models.map(apiModel) };
}
