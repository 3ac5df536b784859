/**
 * Tolerant parsing of EvoLink 2xx bodies (evolink-api.md §5, §8, §11, §12): unknown fields are
 * kept, optional ones may be missing, and only what a caller cannot do without (a task id, a
 * file URL) makes the body a failure. Every string is scrubbed of the key first.
 */
import { isPlainObject } from "../../canonical-json.js";
import { codeOf, scrubDeep, scrubSecrets } from "./envelope.js";
import type { ErrorContext } from "./error-map.js";
import { filesErrorClass, unexpectedResponse } from "./error-map.js";
import { EvolinkError } from "./errors.js";
import type {
  EvolinkBalance,
  EvolinkCredits,
  EvolinkFile,
  EvolinkQuota,
  EvolinkTask,
} from "./types.js";

type Obj = Record<string, unknown>;
const str = (v: unknown): string | undefined => (typeof v === "string" && v ? v : undefined);
const num = (v: unknown): number | undefined =>
  typeof v === "number" && Number.isFinite(v) ? v : undefined;
const obj = (v: unknown): Obj => (isPlainObject(v) ? v : {});

function body(json: unknown, ctx: ErrorContext, status: number): Obj {
  const clean = scrubDeep(json, ctx.apiKey);
  if (!isPlainObject(clean)) throw unexpectedResponse("a body that is not an object", status, ctx);
  return clean;
}

export function parseTask(json: unknown, ctx: ErrorContext): EvolinkTask {
  const raw = body(json, ctx, 200);
  const id = str(raw.id);
  if (!id) throw unexpectedResponse("a task without an id", 200, ctx);
  const usage = obj(raw.usage);
  const info = obj(raw.task_info);
  const err = isPlainObject(raw.error) ? raw.error : undefined;
  const created = num(raw.created);
  return {
    id,
    model: str(raw.model) ?? "",
    status: str(raw.status) ?? "unknown",
    progress: Math.min(100, Math.max(0, num(raw.progress) ?? 0)),
    createdAtMs: created === undefined ? undefined : created * 1000,
    results: Array.isArray(raw.results) ? raw.results.filter((r) => typeof r === "string") : [],
    error: err && {
      code: codeOf(err.code) ?? "unknown_error",
      message: str(err.message) ?? "",
      type: str(err.type),
    },
    creditsReservedRaw: num(usage.credits_reserved),
    billingRule: str(usage.billing_rule),
    estimatedTimeSeconds: num(info.estimated_time),
    videoDurationSeconds: num(info.video_duration),
    canCancel: typeof info.can_cancel === "boolean" ? info.can_cancel : undefined,
    raw,
  };
}

function balance(v: unknown): EvolinkBalance | undefined {
  if (!isPlainObject(v)) return undefined;
  const remainingCredits = num(v.remaining_credits);
  if (remainingCredits === undefined) return undefined;
  return {
    remainingCredits,
    usedCredits: num(v.used_credits),
    unlimited: typeof v.unlimited_credits === "boolean" ? v.unlimited_credits : undefined,
  };
}

export function parseCredits(json: unknown, ctx: ErrorContext): EvolinkCredits {
  const data = obj(failIfUnsuccessful(body(json, ctx, 200), ctx).data);
  const credits = { token: balance(data.token), user: balance(data.user) };
  if (!credits.token && !credits.user)
    throw unexpectedResponse("credits without a balance", 200, ctx);
  return credits;
}

/** The Files API (and the credits page) may answer 2xx with `success:false`: that is an error. */
function failIfUnsuccessful(b: Obj, ctx: ErrorContext): Obj {
  if (b.success !== false) return b;
  const code = codeOf(b.code) ?? "unsuccessful";
  const msg = str(b.msg) ?? str(b.message) ?? "no message";
  const Cls = filesErrorClass(code) ?? EvolinkError;
  const message = scrubSecrets(
    `EvoLink ${ctx.method} ${ctx.path} refused: ${code}: ${msg}`,
    ctx.apiKey,
  );
  throw new Cls(message, { code, status: 200 });
}

export function parseFile(json: unknown, ctx: ErrorContext): EvolinkFile {
  const data = obj(failIfUnsuccessful(body(json, ctx, 200), ctx).data);
  const fileId = str(data.file_id);
  const fileUrl = str(data.file_url);
  if (!fileId || !fileUrl) throw unexpectedResponse("a file without file_id or file_url", 200, ctx);
  return {
    fileId,
    fileUrl,
    downloadUrl: str(data.download_url),
    fileName: str(data.file_name),
    mimeType: str(data.mime_type),
    fileSize: num(data.file_size),
    uploadTime: str(data.upload_time),
    expiresAt: str(data.expires_at),
  };
}

export function parseQuota(json: unknown, ctx: ErrorContext): EvolinkQuota {
  const data = obj(failIfUnsuccessful(body(json, ctx, 200), ctx).data);
  const usedFiles = num(data.used_files);
  const maxFiles = num(data.max_files);
  if (usedFiles === undefined || maxFiles === undefined) {
    throw unexpectedResponse("a quota without used_files/max_files", 200, ctx);
  }
  return {
    usedFiles,
    maxFiles,
    remainFiles: num(data.remain_files),
    userGroup: str(data.user_group),
  };
}
