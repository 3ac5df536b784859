/** Wire and normalised shapes of the Rivya Public API v1 (see shared/rivya-api.md). */
import type { MediaKind } from "../../catalog/types.js";

import type { GenerationRequest, UploadInput as NeutralUpload, Task } from "../types.js";

// Rivya's four public statuses are the neutral ones, and its request body is the neutral shape.
export { isTerminalStatus, TASK_STATUSES, type TaskStatus } from "../types.js";
export type { GenerationRequest };

/** The public task object returned by create and status calls: the neutral task was modelled on it. */
export type RivyaTask = Task;

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

/** The neutral upload, plus Rivya's optional client_request_id form field. */
export interface UploadInput extends NeutralUpload {
  clientRequestId?: string;
}
