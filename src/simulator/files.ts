/**
 * Upload rules of the Files API: which rule applies (default policy narrowed by the
 * model's reference rules) and the size and magic-byte checks against it.
 */
import { fileTypeFromBuffer } from "file-type";
import { DEFAULT_UPLOAD_POLICY, formatBytes, MEDIA_KINDS } from "../catalog/files-policy.js";
import type { MediaKind, ModelTable, ReferenceKindRule } from "../catalog/types.js";
import { invalid } from "./http.js";

/** file-type names a few formats differently from the policy's MIME lists. */
const MIME_ALIASES: Record<string, string> = {
  "audio/x-m4a": "audio/mp4",
  "audio/wave": "audio/wav",
  "audio/vnd.wave": "audio/wav",
};

export function isKind(value: string | undefined): value is MediaKind {
  return MEDIA_KINDS.some((k) => k === value);
}

/** The rule for `kind`, narrowed by `modelId` when given; throws a 400 naming the reason. */
export function uploadRule(
  kind: MediaKind,
  modelId: string | undefined,
  models: readonly ModelTable[],
): ReferenceKindRule {
  if (modelId === undefined) return DEFAULT_UPLOAD_POLICY[kind];
  const model = models.find((m) => m.id === modelId);
  if (!model)
    throw invalid(
      `model "${modelId}" is not available; one of ${models.map((m) => m.id).join(", ")}`,
    );
  const rules = model.referenceMedia;
  const rule = rules?.kinds.find((k) => k.kind === kind);
  if (!rule) {
    const accepted = rules?.kinds.map((k) => k.kind).join(", ");
    throw invalid(
      accepted
        ? `kind ${kind} is not accepted by ${model.id}; accepted kinds: ${accepted}`
        : `${model.id} does not accept reference files`,
    );
  }
  return rule;
}

/**
 * The largest size any rule allows (for `kind`, or for any kind): what an upload may
 * buffer while its final rule is not known yet because `kind`/`model` come after the file.
 */
export function largestUploadLimit(models: readonly ModelTable[], kind?: MediaKind): number {
  const rules = [
    ...Object.values(DEFAULT_UPLOAD_POLICY),
    ...models.flatMap((m) => m.referenceMedia?.kinds ?? []),
  ].filter((r) => kind === undefined || r.kind === kind);
  return Math.max(...rules.map((r) => r.maxBytes));
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
