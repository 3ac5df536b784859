/**
 * One HTTP request, in the order that keeps hostile input cheap: route, Host/Origin, token,
 * rate limit, body (bounded), JSON — and only then MCP. Every refusal is a JSON-RPC error
 * with a 4xx status; nothing a client sends can surface a stack trace.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "../log.js";
import type { StoreHealth } from "../store/index.js";
import type { Store } from "../store/types.js";
import { handleCallback, isCallbackPath, loggablePath } from "./callbacks.js";
import {
  checkHostAndOrigin,
  type OriginPolicy,
  type RateLimiter,
  refusedByRateLimit,
} from "./guards.js";
import { declaresBody, RPC, readBody, sendJson, sendRpcError } from "./http-io.js";
import type { McpDispatch } from "./http-mcp.js";
import type { HttpOptions } from "./http-options.js";
import type { People, Person } from "./people.js";

export interface HandlerState {
  draining: boolean;
  /** POSTs being answered; SIGTERM waits for these (GET streams never end on their own). */
  inflight: number;
}

export interface HandlerDeps {
  opts: HttpOptions;
  people: People;
  policy: OriginPolicy;
  limiter: RateLimiter;
  mcp: McpDispatch;
  log: Logger;
  state: HandlerState;
  /** What /healthz reports about the store (the file ledger when absent). */
  storeHealth?: StoreHealth;
  /** For provider callbacks, which find their ledger entry by id. */
  store: Store;
}

const REQUEST_ID = /^[\w.:-]{1,64}$/;

export function createHandler(d: HandlerDeps) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    // A socket error after we stopped listening must not become an uncaught exception.
    req.on("error", () => {});
    res.on("error", () => {});
    const started = Date.now();
    const forwarded = req.headers["x-request-id"];
    const requestId =
      typeof forwarded === "string" && REQUEST_ID.test(forwarded) ? forwarded : randomUUID();
    res.setHeader("x-request-id", requestId);
    // Tools read it from the request headers the transport hands them (server.ts), so their
    // log lines carry it without async context tracking on every promise.
    req.headers["x-request-id"] = requestId;
    // The path only: a query string is where a careless client might put a token.
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    let person: string | undefined;
    res.once("close", () => {
      // Health checks arrive every few seconds from load balancers; keep them out of info.
      (path === "/healthz" ? d.log.debug : d.log.info)("request", {
        request_id: requestId,
        ...(person ? { person } : {}),
        method: req.method,
        path: loggablePath(path).slice(0, 100),
        // 0: the client went away (or was cut off) before any answer.
        status: res.headersSent ? res.statusCode : 0,
        ms: Date.now() - started,
      });
    });
    handle(d, req, res, path, (p) => {
      person = p.name;
    }).catch((err) => {
      d.log.error("request failed", {
        request_id: requestId,
        error: err instanceof Error ? err.stack : String(err),
      });
      sendRpcError(req, res, 500, RPC.internalError, `Internal error (request ${requestId})`);
    });
  };
}

async function handle(
  d: HandlerDeps,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  identified: (p: Person) => void,
): Promise<void> {
  if (path === "/healthz" && (req.method === "GET" || req.method === "HEAD")) return health(d, res);
  // Authenticated by the secret in the path, not a token: providers' servers call these.
  if (isCallbackPath(path)) {
    // While stopping, the store is about to close: the provider is asked to send it again.
    if (d.state.draining) {
      res.setHeader("retry-after", "5");
      return sendJson(res, 503, { error: "shutting down; send the callback again" });
    }
    countInflight(d.state, res);
    return handleCallback(d.people, d.store, req, res, path);
  }
  if (path !== "/mcp")
    return sendRpcError(req, res, 404, RPC.invalidRequest, "Not found; the MCP endpoint is /mcp");
  const refusal = checkHostAndOrigin(req, d.policy);
  if (refusal) return sendRpcError(req, res, 403, RPC.serverError, refusal);
  const p = d.people.authenticate(req.headers.authorization);
  if (!p) {
    return sendRpcError(
      req,
      res,
      401,
      RPC.serverError,
      "Missing or invalid access token (Authorization: Bearer <token>)",
      {
        "www-authenticate": 'Bearer realm="rivya-mcp"',
      },
    );
  }
  identified(p);
  // Before the body is read, so a flood is refused cheaply.
  if (refusedByRateLimit(d.limiter, p.name, req, res)) return;
  if (d.state.draining)
    return sendRpcError(req, res, 503, RPC.serverError, "Server is shutting down; retry shortly", {
      "retry-after": "5",
    });

  if (req.method === "POST") {
    const body = await readBody(req, d.opts.maxBodyBytes);
    if (!body.ok) {
      if (!body.tooLarge) return void req.socket.destroy();
      return sendRpcError(
        req,
        res,
        413,
        RPC.serverError,
        `Request body exceeds ${d.opts.maxBodyBytes} bytes`,
      );
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.text);
    } catch {
      return sendRpcError(req, res, 400, RPC.parseError, "Parse error: body is not valid JSON");
    }
    // JSON-RPC batches left MCP in 2025-06-18, in both generations served here. Refused before
    // the SDK's classifier, which walks them (a hostile nesting would overflow its stack).
    if (Array.isArray(parsed))
      return sendRpcError(
        req,
        res,
        400,
        RPC.invalidRequest,
        "Invalid Request: send one JSON-RPC message per request (MCP has no batches)",
      );
    if (parsed === null || typeof parsed !== "object")
      return sendRpcError(
        req,
        res,
        400,
        RPC.invalidRequest,
        "Invalid Request: expected a JSON-RPC object",
      );
    countInflight(d.state, res);
    return d.mcp.post(p, req, res, parsed);
  }
  if (req.method === "GET" || req.method === "DELETE") {
    if (declaresBody(req))
      return sendRpcError(req, res, 400, RPC.invalidRequest, `${req.method} takes no body`);
    return d.mcp.other(p, req, res);
  }
  return sendRpcError(req, res, 405, RPC.serverError, "Method not allowed", {
    allow: "GET, POST, DELETE",
  });
}

/** A POST shutdown waits for: its work may write to the store. */
function countInflight(state: HandlerState, res: ServerResponse): void {
  state.inflight += 1;
  res.once("close", () => {
    state.inflight -= 1;
  });
}

/** 503 while stopping or while the store's database cannot be reached: take this replica out. */
async function health(d: HandlerDeps, res: ServerResponse): Promise<void> {
  const store = d.storeHealth?.kind ?? "file";
  if (d.state.draining) return sendJson(res, 503, { status: "stopping", store });
  const reachable = await (d.storeHealth?.check() ?? Promise.resolve()).then(
    () => true,
    () => false,
  );
  if (reachable) return sendJson(res, 200, { status: "ok", store });
  sendJson(res, 503, { status: "unavailable", store, reason: "the database cannot be reached" });
}
