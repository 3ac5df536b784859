/**
 * Pixel rules a model table states for reference images (shortest side, aspect), checked
 * before anything is uploaded: a provider that refuses the image later would do so after the
 * upload, or after the generation was paid for. Only the file's head is read.
 */
import type { ModelTable, ReferenceKindRule } from "../catalog/types.js";
import { ToolInputError } from "../errors/tool-error.js";

/** Enough for the size markers of png and jpeg, even behind a large EXIF block. */
const HEAD_BYTES = 512 * 1024;

export interface PixelSize {
  width: number;
  height: number;
}

async function headOf(data: Uint8Array | Blob): Promise<Uint8Array> {
  if (data instanceof Uint8Array) return data.subarray(0, HEAD_BYTES);
  return new Uint8Array(await data.slice(0, HEAD_BYTES).arrayBuffer());
}

/** The image's width and height from its head, or undefined when they cannot be read. */
export async function measureImage(data: Uint8Array | Blob): Promise<PixelSize | undefined> {
  // Loaded on first use: a stdio start that never uploads does not need it.
  const { imageSize } = await import("image-size");
  try {
    const { width, height } = imageSize(await headOf(data));
    return width > 0 && height > 0 ? { width, height } : undefined;
  } catch {
    return undefined;
  }
}

// Rounded up, so an aspect just past the limit never reads as the limit itself.
const round = (n: number) => Math.ceil(n * 100) / 100;

/**
 * Refuses an image whose pixels break the rule's `minSide` or `maxAspect`; a rule without
 * them (or a kind other than image) passes untouched, without reading anything.
 */
export async function checkImageRules(
  data: Uint8Array | Blob,
  rule: ReferenceKindRule,
  model: ModelTable,
): Promise<PixelSize | undefined> {
  if (rule.kind !== "image" || (rule.minSide === undefined && rule.maxAspect === undefined))
    return undefined;
  const size = await measureImage(data);
  if (!size)
    throw new ToolInputError(
      `The image's pixel dimensions could not be read from its first ${HEAD_BYTES / 1024} KB, so ${model.id}'s size rules cannot be checked. Re-save it as a plain ${rule.mimeTypes.join(" or ")} and upload again.`,
    );
  const { width, height } = size;
  const measured = `${width}×${height} px`;
  const short = Math.min(width, height);
  if (rule.minSide !== undefined && short < rule.minSide)
    throw new ToolInputError(
      `The image is ${measured}; ${model.id} needs at least ${rule.minSide} px on each side (its ${width < height ? "width" : "height"} is ${short} px). Upscale or use a larger image. Nothing was uploaded or charged.`,
    );
  const aspect = Math.max(width, height) / short;
  if (rule.maxAspect !== undefined && aspect > rule.maxAspect)
    throw new ToolInputError(
      `The image is ${measured}, an aspect of ${width >= height ? `${round(aspect)}:1` : `1:${round(aspect)}`}; ${model.id} accepts aspects between 1:${rule.maxAspect} and ${rule.maxAspect}:1. Crop it to fit. Nothing was uploaded or charged.`,
    );
  return size;
}
