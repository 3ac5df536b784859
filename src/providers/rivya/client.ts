/**
 * Typed client for the Rivya Public API v1 (shared/rivya-api.md). Each method is one route:
 * local checks that need no network, one `send` under the retry policy, then a tolerant
 * parse of the 2xx body. Adding an endpoint is one method here.
 *
 * Nothing here imports undici: the transport (`http.ts`) loads on the first call, so a stdio
 * server can create its client at start and still answer `initialize` without loading it.
 */
import { randomUUID } from "node:crypto";
import type { Dispatcher } from "undici";
import { defaultSleep, type Sleep } from "../../net/abort.js";
import type { HttpResponse, RetryInfo } from "../../net/http-call.js";
import { type RetryPolicy, resolveRetryPolicy } from "../../net/retry.js";
import { AuthError, RivyaError, ValidationError } from "./errors.js";
import type { HttpRequest, Transport } from "./http.js";
import { type ParseContext, parseCredits, parseFile, parseModels, parseTask } from "./parse.js";
import type { ApiModel, GenerationRequest, RivyaFile, RivyaTask, UploadInput } from "./types.js";
import { uploadBlob, uploadMultipart } from "./upload.js";

export type { RetryInfo } from "../../net/http-call.js";
export type { RetryPolicy } from "../../net/retry.js";

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
  /** The public catalogue; tests check it still matches the model tables. */
  listModels(o?: CallOptions): Promise<ApiModel[]>;
  getCredits(o?: CallOptions): Promise<number>;
  createGeneration(
    body: GenerationRequest,
    o?: CallOptions & { idempotencyKey?: string },
  ): Promise<CreateResult>;
  getGeneration(taskId: string, o?: CallOptions): Promise<RivyaTask>;
  uploadFile(input: UploadInput, o?: CallOptions): Promise<RivyaFile>;
  /** Closes the client's own connection pool (not an injected dispatcher). */
  close(): Promise<void>;
}

/** Bodies are small JSON documents; anything far larger is a broken or hostile upstream. */
const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

export function createRivyaClient(opts: RivyaClientOptions): RivyaClient {
  const apiKey = opts.apiKey?.trim() || undefined;
  const t = opts.timeouts ?? {};
  const settings = {
    apiKey,
    userAgent: opts.userAgent ?? `rivya-mcp (node ${process.versions.node})`,
    policy: resolveRetryPolicy(opts.retry),
    dispatcher: opts.dispatcher,
    connectMs: t.connectMs ?? 10_000,
    headersMs: t.headersMs ?? 30_000,
    bodyMs: t.bodyMs ?? 60_000,
    sleep: opts.sleep ?? defaultSleep,
    onRetry: opts.onRetry,
    maxResponseBytes: MAX_RESPONSE_BYTES,
  };
  let transport: Promise<Transport> | undefined;
  let closed = false;

  function preflight(req: HttpRequest): void {
    const where = `${req.method} /api/v1${req.path}`;
    if (closed) {
      const init = { code: "client_closed", idempotencyKey: req.idempotencyKey };
      throw new RivyaError(`Rivya client is closed (${where}).`, init);
    }
    if (req.auth) requireApiKey(apiKey, where, req.idempotencyKey);
  }

  async function call(req: HttpRequest): Promise<HttpResponse & { ctx: ParseContext }> {
    preflight(req);
    // A malformed base URL fails the calls, as before, not the server's start.
    transport ??= import("./http.js").then((m) =>
      m.openTransport({ ...settings, apiBase: apiBaseOf(opts.baseUrl) }),
    );
    const { status, json } = await (await transport).send(req);
    const path = `/api/v1${req.path}`;
    return {
      status,
      json,
      ctx: { method: req.method, path, apiKey, idempotencyKey: req.idempotencyKey, status },
    };
  }

  return {
    async listModels(o) {
      // `/models` is public: the key is not sent where it is not needed.
      const r = await call({ method: "GET", path: "/models", auth: false, signal: o?.signal });
      return parseModels(r.json, r.ctx);
    },
    async getCredits(o) {
      const r = await call({ method: "GET", path: "/credits", auth: true, signal: o?.signal });
      return parseCredits(r.json, r.ctx);
    },
    async createGeneration(body, o) {
      // One key for every attempt of this call, so upstream dedupes the client's own retries.
      const idempotencyKey = checkIdempotencyKey(o?.idempotencyKey ?? randomUUID());
      const req: HttpRequest = { method: "POST", path: "/generations", auth: true, json: body };
      const r = await call({ ...req, idempotencyKey, signal: o?.signal });
      return { task: parseTask(r.json, r.ctx), idempotencyKey, replayed: r.status === 200 };
    },
    async getGeneration(taskId, o) {
      const path = idPath("/generations", taskId, "taskId");
      const r = await call({ method: "GET", path, auth: true, signal: o?.signal });
      return parseTask(r.json, r.ctx);
    },
    async uploadFile(input, o) {
      preflight({ method: "POST", path: "/files", auth: true }); // before touching the disk
      const multipart = uploadMultipart(await uploadBlob(input), input);
      const req: HttpRequest = { method: "POST", path: "/files", auth: true, multipart };
      const r = await call({ ...req, signal: o?.signal });
      return parseFile(r.json, r.ctx, input);
    },
    async close() {
      closed = true;
      if (transport) await (await transport).close();
    },
  };
}

// Checks made before any byte goes out. A call that cannot succeed (no key, an empty id, a
// key or idempotency key that is not header-safe) fails here, locally and for free, instead
// of spending a request or making undici throw a less useful error.

/** Visible ASCII only: what an HTTP header value can carry without escaping. */
const HEADER_SAFE = /^[\x21-\x7e]+$/;
const MAX_IDEMPOTENCY_KEY = 255;

/** `https://rivya.ai` and `https://rivya.ai/api/v1` both give `https://rivya.ai/api/v1`. */
function apiBaseOf(baseUrl: string): string {
  const url = new URL(baseUrl);
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new TypeError(`Rivya baseUrl must be http(s), got ${url.protocol}`);
  }
  const path = url.pathname.replace(/\/+$/, "").replace(/\/api\/v1$/, "");
  return `${url.origin}${path}/api/v1`;
}

function requireApiKey(apiKey: string | undefined, where: string, idempotencyKey?: string): void {
  if (!apiKey) {
    throw new AuthError(
      `Rivya ${where} needs an API key (rvya_sk_...), and none is configured. Listing models works without one.`,
      { code: "api_key_missing", idempotencyKey },
    );
  }
  if (!HEADER_SAFE.test(apiKey)) {
    throw new AuthError("The configured Rivya API key has characters not allowed in a header.", {
      code: "api_key_invalid",
      idempotencyKey,
    });
  }
}

function checkIdempotencyKey(key: string): string {
  if (!HEADER_SAFE.test(key) || key.length > MAX_IDEMPOTENCY_KEY) {
    throw new ValidationError(
      `Rivya: idempotencyKey must be 1-${MAX_IDEMPOTENCY_KEY} visible ASCII characters.`,
      { code: "validation_failed" },
    );
  }
  return key;
}

/** `/generations/<id>` with the id percent-encoded, so `a/b` cannot reach another route. */
function idPath(prefix: string, id: string, what: string): string {
  if (typeof id !== "string" || id.trim() === "") {
    throw new ValidationError(`Rivya: ${what} must be a non-empty string.`, {
      code: "validation_failed",
    });
  }
  return `${prefix}/${encodeURIComponent(id)}`;
}
