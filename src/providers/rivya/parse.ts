/**
 * Tolerant readers for 2xx bodies. The contract only promises public field names, and the
 * docs are silent on several casings (§9, §15), so each reader accepts snake_case and
 * camelCase, ignores unknown fields, fills harmless defaults, and rejects only bodies that
 * lack what callers rely on (ids, status, url), as `unexpected_response`. Every string is
 * scrubbed of secrets first, so nothing a reader returns can leak the key further.
 */
import { isPlainObject } from "../../canonical-json.js";
import { MEDIA_KINDS } from "../../catalog/files-policy.js";
import type { MediaKind } from "../../catalog/types.js";
import { scrubDeep } from "./envelope.js";
import { type ErrorContext, unexpectedResponse } from "./error-map.js";
import { type ApiModel, type RivyaFile, type RivyaTask, TASK_STATUSES } from "./types.js";

type Obj = Record<string, unknown>;
export type ParseContext = ErrorContext & { status: number };

const clean = (json: unknown, ctx: ParseContext) => scrubDeep(json, ctx.apiKey);
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const num = (v: unknown): number | undefined =>
  typeof v === "number" && Number.isFinite(v) ? v : undefined;
/** The first of the given spellings that is present. */
function pick(o: Obj, ...keys: string[]): unknown {
  const key = keys.find((k) => o[k] != null);
  return key === undefined ? undefined : o[key];
}

export function parseTask(raw: unknown, ctx: ParseContext): RivyaTask {
  const json = clean(raw, ctx);
  const o = isPlainObject(json) ? json : {};
  const id = str(o.id);
  const status = TASK_STATUSES.find((s) => s === o.status);
  if (!id || !status) {
    const got = isPlainObject(json)
      ? `id=${String(o.id)}, status=${String(o.status)}`
      : typeof json;
    throw unexpectedResponse(
      `something that is not a task (${got.slice(0, 120)})`,
      ctx.status,
      ctx,
    );
  }
  const createdAt = str(pick(o, "created_at", "createdAt")) ?? "";
  return {
    id,
    status,
    model: str(o.model) ?? "",
    reserved_credits: num(pick(o, "reserved_credits", "reservedCredits")) ?? 0,
    final_credits: num(pick(o, "final_credits", "finalCredits")) ?? 0,
    created_at: createdAt,
    updated_at: str(pick(o, "updated_at", "updatedAt")) ?? createdAt,
    result: parseResult(o.result),
    error: isPlainObject(o.error)
      ? { code: str(o.error.code) ?? "generation_failed", message: str(o.error.message) ?? "" }
      : null,
  };
}

function parseResult(v: unknown): RivyaTask["result"] {
  if (!isPlainObject(v)) return null;
  const urls = Array.isArray(v.urls)
    ? v.urls.filter((u): u is string => typeof u === "string")
    : [];
  const primary = str(pick(v, "primary_url", "primaryUrl")) ?? urls[0];
  if (!primary) return null;
  return { primary_url: primary, urls: urls.length > 0 ? urls : [primary] };
}

/** `sent` fills gaps in an upload's answer from what was uploaded. */
export function parseFile(
  raw: unknown,
  ctx: ParseContext,
  sent?: { kind: MediaKind; filename: string; mimeType: string },
): RivyaFile {
  const json = clean(raw, ctx);
  const o = isPlainObject(json) ? json : {};
  const id = str(o.id);
  const url = str(o.url);
  const kind = MEDIA_KINDS.find((k) => k === o.kind) ?? sent?.kind;
  if (!id || !url || !kind) {
    throw unexpectedResponse(
      "something that is not a file object (id, url and kind)",
      ctx.status,
      ctx,
    );
  }
  const file: RivyaFile = {
    id,
    url,
    kind,
    name: str(pick(o, "name", "filename")) ?? sent?.filename ?? "",
    mimeType: str(pick(o, "mime_type", "mimeType", "content_type")) ?? sent?.mimeType ?? "",
    sizeBytes: num(pick(o, "size_bytes", "sizeBytes", "size")) ?? 0,
    createdAt: str(pick(o, "created_at", "createdAt")) ?? "",
  };
  const seconds = num(pick(o, "duration_seconds", "durationSeconds"));
  const token = str(pick(o, "duration_token", "durationToken"));
  if (seconds !== undefined) file.durationSeconds = seconds;
  if (token) file.durationToken = token;
  return file;
}

export function parseModels(raw: unknown, ctx: ParseContext): ApiModel[] {
  const json = clean(raw, ctx);
  const list = Array.isArray(json) ? json : isPlainObject(json) ? json.data : undefined;
  if (!Array.isArray(list)) throw unexpectedResponse("no model list", ctx.status, ctx);
  // Entries without an id are useless to callers; skipping them beats failing the catalogue.
  return list.filter((m): m is Obj => isPlainObject(m) && typeof m.id === "string").map(toModel);
}

function toModel(o: Obj): ApiModel {
  const id = o.id as string;
  const modes = pick(o, "supported_modes", "supportedModes");
  const params = o.params;
  return {
    ...o,
    id,
    display_name: str(pick(o, "display_name", "displayName")) ?? id,
    category: str(o.category) ?? "",
    runtime: str(o.runtime) ?? "",
    base_credits: num(pick(o, "base_credits", "baseCredits")) ?? 0,
    billing_type: str(pick(o, "billing_type", "billingType")) ?? "",
    supported_modes: Array.isArray(modes) ? modes.filter((m) => typeof m === "string") : [],
    max_prompt_length: num(pick(o, "max_prompt_length", "maxPromptLength")) ?? 0,
    api_status: str(pick(o, "api_status", "apiStatus")) ?? "",
    params: Array.isArray(params) ? params : [],
    reference_media: pick(o, "reference_media", "referenceMedia") ?? null,
  };
}

export function parseCredits(json: unknown, ctx: ParseContext): number {
  const o = isPlainObject(json) ? json : {};
  const credits = num(pick(o, "current_credits", "currentCredits"));
  if (credits === undefined) throw unexpectedResponse("no current_credits number", ctx.status, ctx);
  return credits;
}
