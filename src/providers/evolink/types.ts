/** What the EvoLink client returns: the documented fields, typed, with the raw body kept. */

export type EvolinkTaskStatus = "pending" | "processing" | "completed" | "failed";

export interface EvolinkTask {
  id: string;
  model: string;
  /** An unknown status is kept as text, so a new state is never mistaken for a known one. */
  status: EvolinkTaskStatus | (string & {});
  progress: number;
  /** `created` is Unix seconds upstream; here in milliseconds. */
  createdAtMs: number | undefined;
  /** The MP4 link(s) of a completed task (valid 24 h upstream). */
  results: string[];
  error: { code: string; message: string; type: string | undefined } | undefined;
  /**
   * `usage.credits_reserved` exactly as sent: its unit is doubtful (270000 for a 27-credit
   * job in the docs), so it is not converted here; the caller compares it with its quote.
   */
  creditsReservedRaw: number | undefined;
  billingRule: string | undefined;
  estimatedTimeSeconds: number | undefined;
  videoDurationSeconds: number | undefined;
  canCancel: boolean | undefined;
  /** The whole body, key scrubbed, for fields this type does not name. */
  raw: Record<string, unknown>;
}

export interface EvolinkBalance {
  remainingCredits: number;
  usedCredits: number | undefined;
  unlimited: boolean | undefined;
}

export interface EvolinkCredits {
  /** The calling key's allowance. */
  token: EvolinkBalance | undefined;
  /** The account's balance. */
  user: EvolinkBalance | undefined;
}

export interface EvolinkFile {
  fileId: string;
  fileUrl: string;
  downloadUrl: string | undefined;
  fileName: string | undefined;
  mimeType: string | undefined;
  fileSize: number | undefined;
  uploadTime: string | undefined;
  expiresAt: string | undefined;
}

export interface EvolinkQuota {
  usedFiles: number;
  maxFiles: number;
  remainFiles: number | undefined;
  userGroup: string | undefined;
}

/** A create body as the API takes it (snake_case); extra fields pass through untouched. */
export interface EvolinkCreateBody {
  model: string;
  prompt?: string;
  negative_prompt?: string;
  duration?: number;
  aspect_ratio?: string;
  quality?: string;
  sound?: "on" | "off";
  image_start?: string;
  image_end?: string;
  model_params?: Record<string, unknown>;
  callback_url?: string;
  [extra: string]: unknown;
}
