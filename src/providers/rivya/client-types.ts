/**
 * The public surface of the Rivya client, kept apart from its implementation so tools and
 * tests can depend on the shape (and fake it) without pulling in undici.
 */
import type { Dispatcher } from "undici";
import type { Sleep } from "./abort.js";
import type { RetryInfo } from "./http.js";
import type { RetryPolicy } from "./retry.js";
import type { ApiModel, GenerationRequest, RivyaFile, RivyaTask, UploadInput } from "./types.js";

export type { RetryInfo } from "./http.js";
export type { RetryPolicy } from "./retry.js";

export interface RivyaClientOptions {
  /** e.g. `https://rivya.ai` or the simulator's URL; a trailing `/api/v1` is tolerated. */
  baseUrl: string;
  /** Without a key only `listModels` works; other calls throw `api_key_missing` locally. */
  apiKey?: string;
  retry?: Partial<RetryPolicy>;
  /** Defaults 10 s / 30 s / 60 s. `connectMs` only applies when no `dispatcher` is given. */
  timeouts?: { connectMs?: number; headersMs?: number; bodyMs?: number };
  /** For tests and benchmarks; the caller then owns (and closes) it. */
  dispatcher?: Dispatcher;
  userAgent?: string;
  /** Injectable for tests; an abort still ends the wait at once even if this ignores it. */
  sleep?: Sleep;
  onRetry?: (info: RetryInfo) => void;
}

export interface CallOptions {
  signal?: AbortSignal;
}

export interface CreateResult {
  task: RivyaTask;
  /** Reuse it to retry this create safely: upstream will not create or charge twice. */
  idempotencyKey: string;
  /** Upstream answered 200: an earlier request with this key already created the task. */
  replayed: boolean;
}

export interface RivyaClient {
  listModels(o?: CallOptions): Promise<ApiModel[]>;
  getCredits(o?: CallOptions): Promise<number>;
  createGeneration(
    body: GenerationRequest,
    o?: CallOptions & { idempotencyKey?: string },
  ): Promise<CreateResult>;
  getGeneration(taskId: string, o?: CallOptions): Promise<RivyaTask>;
  uploadFile(input: UploadInput, o?: CallOptions): Promise<RivyaFile>;
  getFile(fileId: string, o?: CallOptions): Promise<RivyaFile>;
  /** Closes the client's own connection pool (not an injected dispatcher). */
  close(): Promise<void>;
}
