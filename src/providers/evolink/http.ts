/**
 * EvoLink's side of the shared HTTP core (net/http-call.ts): a read is `idempotent`, a create
 * is `unsafe` and is sent with no retry status at all, so only a connect-phase failure (no
 * byte left) can ever repeat it.
 */
import type { FormData } from "undici";
import { type HttpSettings, type RetryInfo, sendWithRetry } from "../../net/http-call.js";
import type { RetryPolicy } from "../../net/retry.js";
import {
  type ErrorContext,
  errorFromResponse,
  errorFromTransport,
  unexpectedResponse,
} from "./error-map.js";
import { EvolinkError } from "./errors.js";

export type EvolinkRetryInfo = RetryInfo;

export interface HttpConfig extends HttpSettings {
  apiKey: string | undefined;
  userAgent: string;
  policy: RetryPolicy;
}

export interface HttpRequest {
  method: "GET" | "POST";
  url: URL;
  json?: unknown;
  /** A multipart body is a stream, so it is rebuilt for every attempt. */
  form?: () => FormData;
  /** A generation create: no idempotency key exists, so it must not be resent once sent. */
  isCreate?: boolean;
  signal?: AbortSignal | undefined;
}

export async function send(cfg: HttpConfig, req: HttpRequest): Promise<unknown> {
  const isCreate = req.isCreate === true;
  const ctx: ErrorContext = {
    method: req.method,
    path: req.url.pathname,
    apiKey: cfg.apiKey,
    isCreate,
  };
  const headers: Record<string, string> = {
    accept: "application/json",
    "user-agent": cfg.userAgent,
  };
  if (cfg.apiKey) headers.authorization = `Bearer ${cfg.apiKey}`;
  if (req.json !== undefined) headers["content-type"] = "application/json";
  const jsonBody = req.json === undefined ? null : JSON.stringify(req.json);
  const { form } = req;
  const { json } = await sendWithRetry(cfg, {
    url: req.url,
    method: req.method,
    path: ctx.path,
    headers,
    body: () => (form ? form() : jsonBody),
    safety: req.method === "GET" ? "idempotent" : "unsafe",
    // A create keeps only the connect-phase retry: no status proves it was not processed.
    policy: isCreate ? { ...cfg.policy, retryStatuses: [] } : cfg.policy,
    signal: req.signal,
    errors: {
      own: (err): err is EvolinkError => err instanceof EvolinkError,
      tooLarge: (status) => unexpectedResponse(`over ${cfg.maxResponseBytes} bytes`, status, ctx),
      notJson: (status) => unexpectedResponse("a body that is not JSON", status, ctx),
      fromStatus: ({ status, bodyText, retryAfterSeconds }) =>
        errorFromResponse({ status, bodyText, retryAfterSeconds }, ctx),
      fromTransport: (err, failure) => errorFromTransport(err, failure, ctx),
      gaveUp: (error, _why, n) => {
        if (n > 1) error.message += ` Gave up after ${n} attempts.`;
      },
    },
  });
  return json;
}
