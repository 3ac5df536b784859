/** Wire and normalised shapes of the Rivya Public API v1 (see shared/rivya-api.md). */
import type { MediaKind } from "../../catalog/types.js";

/** The four public task statuses, in the order a task moves through them. */
export const TASK_STATUSES = ["queued", "processing", "succeeded", "failed"] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];
/** A finished task: its credits are settled and it will not change again. */
export const isTerminalStatus = (status: TaskStatus) =>
  status === "succeeded" || status === "failed";

/** The public task object returned by create and status calls. */
export interface RivyaTask {
  id: string;
  status: TaskStatus;
  model: string;
  reserved_credits: number;
  final_credits: number;
  created_at: string;
  updated_at: string;
  result: { primary_url: string; urls: string[] } | null;
  error: { code: string; message: string } | null;
}

export interface GenerationRequest {
  model: string;
  prompt: string;
  params?: Record<string, unknown>;
  client_request_id?: string;
}

/** An uploaded file, normalised from either `mime_type` or `mimeType` style responses. */
export interface RivyaFile {
  id: string;
  url: string;
  kind: MediaKind;
  name: string;
  mimeType: string;
  sizeBytes: number;
  createdAt: string;
  durationSeconds?: number;
  durationToken?: string;
}

/** A `/models` catalogue entry as the simulator serves it (unknown fields are tolerated). */
export interface ApiModel {
  id: string;
  display_name: string;
  category: string;
  runtime: string;
  base_credits: number;
  billing_type: string;
  supported_modes: string[];
  max_prompt_length: number;
  api_status: string;
  params: unknown[];
  reference_media: unknown;
  [extra: string]: unknown;
}

export interface UploadInput {
  /** Path of a file on disk; streamed, never read whole into memory. */
  path?: string;
  /** Or the bytes themselves (already in memory, e.g. decoded base64). */
  data?: Uint8Array | Blob;
  filename: string;
  mimeType: string;
  kind: MediaKind;
  model?: string;
  clientRequestId?: string;
}
