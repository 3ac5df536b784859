/**
 * Upload rules of the Files API: which rule applies (default policy narrowed by the
 * model's reference rules) and the size and magic-byte checks against it.
 */
import { fileTypeFromBuffer } from "file-type";
import { DEFAULT_UPLOAD_POLICY, formatBytes, MEDIA_KINDS } from "../../../catalog/files-policy.js";
import type { MediaKind, ModelTable, ReferenceKindRule } from "../../../catalog/types.js";
import { ApiError, invalid } from "../../../simulator-kit/http.js";
import { lookupModel } from "./validate.js";

/** file-type names a few formats differently from the policy's MIME lists. */
const MIME_ALIASES: Record<string, string> = {
  "audio/x-m4a": "audio/mp4",
  "audio/wave": "audio/wav",
  "audio/vnd.wave": "audio/wav",
};

export function isKind(value: string | undefined): value is MediaKind {
  return MEDIA_KINDS.some((k) => k === value);
}

/**
 * The rule for `kind`, narrowed by `modelId` when given, or the 400 naming why there is
 * none. Returned rather than thrown so the size-limit callback and the final check share it.
 */
export function findUploadRule(
  kind: MediaKind,
  modelId: string | undefined,
  models: readonly ModelTable[],
): ReferenceKindRule | ApiError {
  if (modelId === undefined) return DEFAULT_UPLOAD_POLICY[kind];
  const model = lookupModel(modelId, models);
  if (model instanceof ApiError) return model;
  const rules = model.referenceMedia;
  const rule = rules?.kinds.find((k) => k.kind === kind);
  if (rule) return rule;
  const accepted = rules?.kinds.map((k) => k.kind).join(", ");
  return invalid(
    accepted
      ? `kind ${kind} is not accepted by ${model.id}; accepted kinds: ${accepted}`
      : `${model.id} does not accept reference files`,
  );
}

/**
 * The largest size any rule allows, for any kind and per kind: what an upload may buffer
 * while its final rule is not known yet because `kind`/`model` come after the file.
 */
export interface UploadLimits {
  any: number;
  byKind: Record<MediaKind, number>;
}

/** Computed once per simulator: its models are fixed for its lifetime. */
export function uploadLimits(models: readonly ModelTable[]): UploadLimits {
  const rules = [
    ...Object.values(DEFAULT_UPLOAD_POLICY),
    ...models.flatMap((m) => m.referenceMedia?.kinds ?? []),
  ];
  const largest = (kind?: MediaKind) =>
    Math.max(...rules.filter((r) => kind === undefined || r.kind === kind).map((r) => r.maxBytes));
  const byKind = Object.fromEntries(MEDIA_KINDS.map((k) => [k, largest(k)]));
  return { any: largest(), byKind: byKind as Record<MediaKind, number> };
}

/** Checks size and content of the file against `rule`; returns the detected MIME type. */
export async function checkContent(
  file: { bytes: Buffer; size: number },
  rule: ReferenceKindRule,
  forModel: string | undefined,
): Promise<string> {
  const scope = forModel ? ` for ${forModel}` : "";
  if (file.size > rule.maxBytes) {
    throw invalid(
      `file is too large: ${formatBytes(file.size)}; the limit for ${rule.kind} files${scope} is ${formatBytes(rule.maxBytes)}`,
    );
  }
  if (file.size === 0) throw invalid("file is empty");
  const accepted = rule.mimeTypes.join(", ");
  const detected = (await fileTypeFromBuffer(file.bytes))?.mime;
  if (!detected) {
    throw invalid(
      `file content is not a recognised ${rule.kind} format (checked from its bytes, not its name); accepted${scope}: ${accepted}`,
    );
  }
  const mime = MIME_ALIASES[detected] ?? detected;
  if (!rule.mimeTypes.includes(mime)) {
    throw invalid(
      `file content is ${mime}, not an accepted ${rule.kind} type${scope}; accepted: ${accepted}`,
    );
  }
  return mime;
}
