/**
 * Hands a vetted request to MCP, by protocol generation. 2026-07-28 requests carry their
 * whole context (the `_meta` envelope) and are served one at a time by the SDK's handler,
 * on any replica. 2025-11-25 requests are served as before: stateful, one McpServer +
 * transport per session, found by Mcp-Session-Id and only for the person who opened it;
 * or, with --stateless, a fresh pair per request.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { NodeStreamableHTTPServerTransport, toNodeHandler } from "@modelcontextprotocol/node";
import {
  createMcpHandler,
  isInitializeRequest,
  isLegacyRequest,
} from "@modelcontextprotocol/server";
import { createServer, type McpOptions } from "../mcp/server.js";
import { RPC, sendRpcError } from "./http-io.js";
import type { Person } from "./people.js";
import type { Session, SessionRegistry } from "./sessions.js";

export interface McpDispatch {
  post(p: Person, req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void>;
  /** GET (the server-to-client stream) and DELETE (end of session). */
  other(p: Person, req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** Ends the 2026 exchanges still open (shutdown). */
  close(): Promise<void>;
}

type NodeHandler = ReturnType<typeof toNodeHandler>;
/** node:http's request, as the SDK's Node glue types it (method and url always set there). */
const nodeReq = (req: IncomingMessage) => req as Parameters<NodeHandler>[0];

/**
 * One SDK handler per person (its factory builds that person's server for each request),
 * made on the person's first 2026 request. `legacy` says what it does with 2025 traffic.
 */
function perPersonHandlers(options: McpOptions, legacy: "reject" | "stateless") {
  const handlers = new Map<Person, { node: NodeHandler; close(): Promise<void> }>();
  return {
    for(p: Person): NodeHandler {
      let h = handlers.get(p);
      if (!h) {
        const mcp = createMcpHandler(() => createServer(p.deps, p.tools, options), { legacy });
        h = { node: toNodeHandler(mcp), close: mcp.close };
        handlers.set(p, h);
      }
      return h.node;
    },
    async close() {
      await Promise.all([...handlers.values()].map((h) => h.close().catch(() => {})));
    },
  };
}

/**
 * A 2025 request: no `_meta` envelope (initialize, session GET/DELETE, 2025 calls). The SDK's
 * own predicate decides; given the parsed body it reads only the method and the standard
 * MCP headers, so it gets just those, not a WHATWG Request built from the whole message
 * (`toWebRequest`: headers copied, an AbortSignal, a body stream), which cost more per call
 * than the rest of the routing.
 */
function isLegacy(req: IncomingMessage, body: unknown): Promise<boolean> {
  // POSTs only: the handler has parsed the body, so the predicate reads none itself.
  const view = {
    method: req.method ?? "GET",
    headers: {
      get(name: string): string | null {
        const v = req.headers[name.toLowerCase()];
        return v === undefined ? null : Array.isArray(v) ? v.join(", ") : v;
      },
    },
  };
  return isLegacyRequest(view as unknown as Request, body);
}

export function statelessDispatch(options: McpOptions): McpDispatch {
  const handlers = perPersonHandlers(options, "stateless");
  return {
    async post(p, req, res, body) {
      await handlers.for(p)(nodeReq(req), res, body);
    },
    async other(_p, req, res) {
      // No session to stream to or to end: each request stands alone.
      sendRpcError(req, res, 405, RPC.serverError, "Method not allowed in stateless mode", {
        allow: "POST",
      });
    },
    close: handlers.close,
  };
}

const sessionIdOf = (req: IncomingMessage) => {
  const id = req.headers["mcp-session-id"];
  return typeof id === "string" ? id : undefined;
};

export function statefulDispatch(sessions: SessionRegistry, options: McpOptions): McpDispatch {
  const modern = perPersonHandlers(options, "reject");
  const existing = (p: Person, req: IncomingMessage, res: ServerResponse): Session | undefined => {
    const id = sessionIdOf(req);
    if (id === undefined) {
      sendRpcError(
        req,
        res,
        400,
        RPC.serverError,
        "Bad Request: Mcp-Session-Id header is required (initialize first)",
      );
      return undefined;
    }
    // Someone else's session id gets the same answer as an expired one: it reveals nothing.
    const session = sessions.get(id, p.name);
    if (!session)
      sendRpcError(
        req,
        res,
        404,
        RPC.sessionNotFound,
        "Session not found; initialize a new session",
      );
    else sessions.track(session, res);
    return session;
  };

  async function open(
    p: Person,
    req: IncomingMessage,
    res: ServerResponse,
    body: unknown,
  ): Promise<void> {
    if (!sessions.reserve(p.name))
      return sendRpcError(
        req,
        res,
        503,
        RPC.serverError,
        "Too many open sessions, all busy; end one you no longer use (DELETE /mcp) or retry shortly",
        { "retry-after": "5" },
      );
    const server = createServer(p.deps, p.tools, options);
    let session: Session | undefined;
    const transport = new NodeStreamableHTTPServerTransport({
      sessionIdGenerator: randomUUID,
      onsessioninitialized: (id) => {
        session = { id, owner: p.name, server, transport, open: 0, lastSeen: 0 };
        sessions.add(session);
        sessions.track(session, res);
      },
    });
    // DELETE from the client, or our own eviction: either way the registry lets go.
    transport.onclose = () => {
      if (transport.sessionId) sessions.forget(transport.sessionId);
    };
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
    // An initialize the SDK rejected never became a session; don't leave its server behind.
    if (!session) void server.close().catch(() => {});
  }

  return {
    async post(p, req, res, body) {
      if (!(await isLegacy(req, body))) return modern.for(p)(nodeReq(req), res, body);
      if (sessionIdOf(req) === undefined && isInitializeRequest(body))
        return open(p, req, res, body);
      const session = existing(p, req, res);
      if (session) await session.transport.handleRequest(req, res, body);
    },
    async other(p, req, res) {
      const session = existing(p, req, res);
      if (session) await session.transport.handleRequest(req, res);
    },
    close: modern.close,
  };
}
