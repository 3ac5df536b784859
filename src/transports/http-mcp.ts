/**
 * Hands a vetted request to MCP. Stateful: one McpServer + transport per session, found by
 * Mcp-Session-Id and only for the person who opened it. Stateless: a fresh pair per
 * request, closed with the response, so any replica can answer any request.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { isInitializeRequest } from "@modelcontextprotocol/sdk/types.js";
import { createServer } from "../mcp/server.js";
import { RPC, sendRpcError } from "./http-io.js";
import type { Person } from "./people.js";
import type { Session, SessionRegistry } from "./sessions.js";

export interface McpDispatch {
  post(p: Person, req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void>;
  /** GET (the server-to-client stream) and DELETE (end of session). */
  other(p: Person, req: IncomingMessage, res: ServerResponse): Promise<void>;
}

const serverFor = (p: Person) => createServer(p.deps, p.tools);

export function statelessDispatch(): McpDispatch {
  return {
    async post(p, req, res, body) {
      const server = serverFor(p);
      // No sessionIdGenerator: the SDK's stateless mode (no session header, no session checks).
      const transport = new StreamableHTTPServerTransport({});
      res.once("close", () => {
        void transport.close().catch(() => {});
        void server.close().catch(() => {});
      });
      await server.connect(transport);
      await transport.handleRequest(req, res, body);
    },
    async other(_p, req, res) {
      // No session to stream to or to end: each request stands alone.
      sendRpcError(req, res, 405, RPC.serverError, "Method not allowed in stateless mode", {
        allow: "POST",
      });
    },
  };
}

const isInitialize = (body: unknown) =>
  Array.isArray(body) ? body.some((m) => isInitializeRequest(m)) : isInitializeRequest(body);

const sessionIdOf = (req: IncomingMessage) => {
  const id = req.headers["mcp-session-id"];
  return typeof id === "string" ? id : undefined;
};

export function statefulDispatch(sessions: SessionRegistry): McpDispatch {
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
    const server = serverFor(p);
    let session: Session | undefined;
    const transport = new StreamableHTTPServerTransport({
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
      if (sessionIdOf(req) === undefined && isInitialize(body)) return open(p, req, res, body);
      const session = existing(p, req, res);
      if (session) await session.transport.handleRequest(req, res, body);
    },
    async other(p, req, res) {
      const session = existing(p, req, res);
      if (session) await session.transport.handleRequest(req, res);
    },
  };
}
