/**
 * Typed client for the Rivya Public API v1 (shared/rivya-api.md). Each method is one route:
 * local checks that need no network, one `send` under the retry policy, then a tolerant
 * parse of the 2xx body. The shape is declared in `client-types.ts`.
 */
import { randomUUID } from "node:crypto";
import { Agent } from "undici";
import { defaultSleep } from "./abort.js";
import type { RivyaClient, RivyaClientOptions } from "./client-types.js";
import { RivyaError } from "./errors.js";
import { type HttpConfig, type HttpRequest, send } from "./http.js";
import { type ParseContext, parseCredits, parseFile, parseModels, parseTask } from "./parse.js";
import { apiBaseOf, checkIdempotencyKey, idPath, requireApiKey } from "./preflight.js";
import { resolveRetryPolicy } from "./retry.js";
import { buildUploadForm, uploadBlob } from "./upload.js";

export type {
  CallOptions,
  CreateResult,
  RetryInfo,
  RetryPolicy,
  RivyaClient,
  RivyaClientOptions,
} from "./client-types.js";

/** Bodies are small JSON documents; anything far larger is a broken or hostile upstream. */
const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

export function createRivyaClient(opts: RivyaClientOptions): RivyaClient {
  const apiKey = opts.apiKey?.trim() || undefined;
  const t = opts.timeouts ?? {};
  const headersTimeoutMs = t.headersMs ?? 30_000;
  const bodyTimeoutMs = t.bodyMs ?? 60_000;
  const ownAgent = opts.dispatcher
    ? undefined
    : // Headers and body timeouts go with each request (attempt.ts), so they also apply to
      // a dispatcher passed in; only the connect timeout belongs to the pool.
      new Agent({ connect: { timeout: t.connectMs ?? 10_000 } });
  const cfg: HttpConfig = {
    apiBase: apiBaseOf(opts.baseUrl),
    apiKey,
    userAgent: opts.userAgent ?? `rivya-mcp (node ${process.versions.node})`,
    policy: resolveRetryPolicy(opts.retry),
    dispatcher: opts.dispatcher ?? (ownAgent as Agent),
    headersTimeoutMs,
    bodyTimeoutMs,
    sleep: opts.sleep ?? defaultSleep,
    onRetry: opts.onRetry,
    maxResponseBytes: MAX_RESPONSE_BYTES,
  };
  let closed = false;

  function preflight(req: HttpRequest): void {
    const where = `${req.method} /api/v1${req.path}`;
    if (closed) {
      const init = { code: "client_closed", idempotencyKey: req.idempotencyKey };
      throw new RivyaError(`Rivya client is closed (${where}).`, init);
    }
    if (req.auth) requireApiKey(apiKey, where, req.idempotencyKey);
  }

  async function call(
    req: HttpRequest,
  ): Promise<{ status: number; json: unknown; ctx: ParseContext }> {
    preflight(req);
    const { status, json } = await send(cfg, req);
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
      const blob = await uploadBlob(input);
      const form = () => buildUploadForm(blob, input);
      const r = await call({ method: "POST", path: "/files", auth: true, form, signal: o?.signal });
      return parseFile(r.json, r.ctx, input);
    },
    async getFile(fileId, o) {
      const path = idPath("/files", fileId, "fileId");
      const r = await call({ method: "GET", path, auth: true, signal: o?.signal });
      return parseFile(r.json, r.ctx);
    },
    async close() {
      closed = true;
      await ownAgent?.close();
    },
  };
}
