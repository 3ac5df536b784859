import type { MediaKind, ReferenceKindRule } from "./types.js";

const MB = 1024 * 1024;

/** Rivya's default Files API upload policy per kind (api-files page); models may narrow it. */
export const DEFAULT_UPLOAD_POLICY: Record<MediaKind, ReferenceKindRule> = {
  image: { kind: "image", maxBytes: 10 * MB, mimeTypes: ["image/jpeg", "image/png", "image/webp"] },
  video: {
    kind: "video",
    maxBytes: 50 * MB,
    mimeTypes: ["video/mp4", "video/quicktime", "video/webm"],
  },
  audio: {
    kind: "audio",
    maxBytes: 10 * MB,
    mimeTypes: ["audio/mpeg", "audio/mp4", "audio/wav", "audio/x-wav", "audio/aac", "audio/ogg"],
  },
};

export const MEDIA_KINDS: readonly MediaKind[] = ["image", "video", "audio"];

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < MB) return `${(bytes / 1024).toFixed(1)} KB`;
  return bytes % MB === 0 ? `${bytes / MB} MB` : `${(bytes / MB).toFixed(1)} MB`;
}
