/**
 * Typed client for EvoLink's video API and its separate Files API (evolink-api.md). Each
 * method is one route: one `send` under the retry policy, then a tolerant parse. A create is
 * never resent once it may have left (no idempotency key exists); reads are retried.
 */
import { openAsBlob } from "node:fs";
import { basename } from "node:path";
import { Agent, type Dispatcher, FormData } from "undici";
import { defaultSleep, type Sleep } from "../../net/abort.js";
import { type RetryPolicy, resolveRetryPolicy } from "../../net/retry.js";
import type { ErrorContext } from "./error-map.js";
import { EvolinkAuthError, EvolinkValidationError } from "./errors.js";
import { type EvolinkRetryInfo, type HttpConfig, type HttpRequest, send } from "./http.js";
import { parseCredits, parseFile, parseQuota, parseTask } from "./parse.js";
import type {
  EvolinkCreateBody,
  EvolinkCredits,
  EvolinkFile,
  EvolinkQuota,
  EvolinkTask,
} from "./types.js";

export const DEFAULT_EVOLINK_BASE_URL = "https://api.evolink.ai";
export const DEFAULT_EVOLINK_FILES_URL = "https://files-api.evolink.ai";

/** Bodies are small JSON documents; anything far larger is a broken or hostile upstream. */
const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

export interface EvolinkClientOptions {
  apiKey: string | undefined;
  baseUrl?: string;
  filesUrl?: string;
  retry?: Partial<RetryPolicy>;
  /** Defaults 10 s / 30 s / 60 s; `connectMs` only applies when no `dispatcher` is given. */
  timeouts?: { connectMs?: number; headersMs?: number; bodyMs?: number };
  dispatcher?: Dispatcher;
  userAgent?: string;
  sleep?: Sleep;
  onRetry?: (info: EvolinkRetryInfo) => void;
}

export interface CallOptions {
  signal?: AbortSignal;
}

/** Optional names the Files API takes with every upload. */
export interface UploadNaming {
  uploadPath?: string;
  fileName?: string;
}

export interface EvolinkClient {
  createVideo(body: EvolinkCreateBody, o?: CallOptions): Promise<EvolinkTask>;
  getTask(taskId: string, o?: CallOptions): Promise<EvolinkTask>;
  getCredits(o?: CallOptions): Promise<EvolinkCredits>;
  /** `data` is raw base64 or a `data:` URL. */
  uploadBase64(data: string, naming?: UploadNaming, o?: CallOptions): Promise<EvolinkFile>;
  /** Streams a local file as multipart, reopened for each attempt. */
  uploadStream(path: string, naming?: UploadNaming, o?: CallOptions): Promise<EvolinkFile>;
  /** Sends bytes (or a Blob, read again for each attempt) as a multipart upload. */
  uploadFile(
    data: Uint8Array | Blob,
    fileName: string,
    naming?: UploadNaming,
    o?: CallOptions,
  ): Promise<EvolinkFile>;
  uploadUrl(fileUrl: string, naming?: UploadNaming, o?: CallOptions): Promise<EvolinkFile>;
  quota(o?: CallOptions): Promise<EvolinkQuota>;
  close(): Promise<void>;
}

function baseOf(raw: string, what: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new EvolinkValidationError(`${what} '${raw}' is not a URL.`, { code: "bad_base_url" });
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new EvolinkValidationError(`${what} must be http(s); got '${raw}'.`, {
      code: "bad_base_url",
    });
  }
  return url;
}

/** A path segment that cannot climb out of `/v1/tasks/` (`.` and `..` are refused). */
const TASK_ID = /^(?!\.{1,2}$)[A-Za-z0-9._-]{1,200}$/;

export function createEvolinkClient(opts: EvolinkClientOptions): EvolinkClient {
  const apiKey = opts.apiKey?.trim() || undefined;
  const apiBase = baseOf(opts.baseUrl ?? DEFAULT_EVOLINK_BASE_URL, "EVOLINK_BASE_URL");
  const filesBase = baseOf(opts.filesUrl ?? DEFAULT_EVOLINK_FILES_URL, "EVOLINK_FILES_URL");
  const t = opts.timeouts ?? {};
  const ownAgent = opts.dispatcher
    ? undefined
    : new Agent({ connect: { timeout: t.connectMs ?? 10_000 } });
  const cfg: HttpConfig = {
    apiKey,
    userAgent: opts.userAgent ?? `rivya-mcp (node ${process.versions.node})`,
    policy: resolveRetryPolicy(opts.retry),
    dispatcher: opts.dispatcher ?? (ownAgent as Agent),
    headersTimeoutMs: t.headersMs ?? 30_000,
    bodyTimeoutMs: t.bodyMs ?? 60_000,
    sleep: opts.sleep ?? defaultSleep,
    onRetry: opts.onRetry,
    maxResponseBytes: MAX_RESPONSE_BYTES,
  };

  async function call(req: HttpRequest): Promise<{ json: unknown; ctx: ErrorContext }> {
    const ctx = {
      method: req.method,
      path: req.url.pathname,
      apiKey,
      isCreate: req.isCreate === true,
    };
    if (!apiKey) {
      throw new EvolinkAuthError(
        `EvoLink ${ctx.method} ${ctx.path}: no API key is configured. Set EVOLINK_API_KEY and try again.`,
        { code: "api_key_missing", createOutcome: ctx.isCreate ? "certainly_not" : undefined },
      );
    }
    return { json: await send(cfg, req), ctx };
  }
  const api = (path: string) => new URL(path, apiBase);
  const files = (path: string) => new URL(path, filesBase);
  const upload = async (kind: string, json: unknown, signal?: AbortSignal) => {
    const url = files(`/api/v1/files/upload/${kind}`);
    const r = await call({ method: "POST", url, json, signal });
    return parseFile(r.json, r.ctx);
  };

  const multipart = async (
    blob: Blob,
    fileName: string,
    naming?: UploadNaming,
    o?: CallOptions,
  ) => {
    const form = () => {
      const f = new FormData();
      for (const [k, v] of Object.entries(names(naming))) f.set(k, v);
      f.set("file", blob, naming?.fileName ?? fileName);
      return f;
    };
    const url = files("/api/v1/files/upload/stream");
    const r = await call({ method: "POST", url, form, signal: o?.signal });
    return parseFile(r.json, r.ctx);
  };

  return {
    async createVideo(body, o) {
      const url = api("/v1/videos/generations");
      const r = await call({ method: "POST", url, json: body, isCreate: true, signal: o?.signal });
      return parseTask(r.json, r.ctx);
    },
    async getTask(taskId, o) {
      if (!TASK_ID.test(taskId)) {
        const message = `EvoLink task id '${taskId.slice(0, 80)}' is malformed: expected an id such as task-unified-1757169743-7cvnl5zw.`;
        throw new EvolinkValidationError(message, { code: "invalid_task_id", param: "task_id" });
      }
      const r = await call({ method: "GET", url: api(`/v1/tasks/${taskId}`), signal: o?.signal });
      return parseTask(r.json, r.ctx);
    },
    async getCredits(o) {
      const r = await call({ method: "GET", url: api("/v1/credits"), signal: o?.signal });
      return parseCredits(r.json, r.ctx);
    },
    uploadBase64: (data, naming, o) =>
      upload("base64", { base64_data: data, ...names(naming) }, o?.signal),
    uploadUrl: (fileUrl, naming, o) =>
      upload("url", { file_url: fileUrl, ...names(naming) }, o?.signal),
    async uploadStream(path, naming, o) {
      return multipart(await openAsBlob(path), naming?.fileName ?? basename(path), naming, o);
    },
    uploadFile: (data, fileName, naming, o) =>
      multipart(data instanceof Blob ? data : new Blob([data]), fileName, naming, o),
    async quota(o) {
      const r = await call({ method: "GET", url: files("/api/v1/files/quota"), signal: o?.signal });
      return parseQuota(r.json, r.ctx);
    },
    async close() {
      await ownAgent?.close();
    },
  };
}

function names(n: UploadNaming | undefined): Record<string, string> {
  return {
    ...(n?.uploadPath ? { upload_path: n.uploadPath } : {}),
    ...(n?.fileName ? { file_name: n.fileName } : {}),
  };
}
