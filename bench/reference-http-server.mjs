/**
 * Reference for the HTTP benchmark: the smallest server on the SDK generation rivya-mcp ships
 * (v2) that serves both protocol generations over Streamable HTTP, as the SDK documents it —
 * node:http; 2026-07-28 requests through createMcpHandler (stateless, a fresh McpServer per
 * request); 2025-11-25 requests (told apart with the SDK's isLegacyRequest, given just the
 * method and headers it reads, as rivya-mcp does, not a whole WHATWG Request) through one
 * NodeStreamableHTTPServerTransport + McpServer per session, kept in a Map. One tool,
 * get_task, making the single upstream GET rivya-mcp's get_task makes, returning its JSON.
 * No auth, no limits, no eviction, no logging: the floor a real server is compared against.
 * The bench bundles it as rivya-mcp is bundled (lib/bundle.mjs). Env: RIVYA_BASE_URL,
 * RIVYA_API_KEY. Prints `listening on http://127.0.0.1:PORT/mcp` on stderr.
 */
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import { NodeStreamableHTTPServerTransport, toNodeHandler } from "@modelcontextprotocol/node";
import {
  createMcpHandler,
  isInitializeRequest,
  isLegacyRequest,
  McpServer,
} from "@modelcontextprotocol/server";
import { Agent, request } from "undici";
import * as z from "zod";

const base = process.env.RIVYA_BASE_URL;
const headers = {
  authorization: `Bearer ${process.env.RIVYA_API_KEY}`,
  accept: "application/json",
};
const agent = new Agent();
const sessions = new Map();

function mcpServer() {
  const server = new McpServer({ name: "reference-http", version: "1.0.0" });
  server.registerTool(
    "get_task",
    { description: "One upstream GET.", inputSchema: z.object({ task_id: z.string() }) },
    async ({ task_id }) => {
      const res = await request(`${base}/api/v1/generations/${encodeURIComponent(task_id)}`, {
        headers,
        dispatcher: agent,
      });
      const task = await res.body.json();
      return { content: [{ type: "text", text: JSON.stringify(task) }] };
    },
  );
  return server;
}

const modern = toNodeHandler(createMcpHandler(mcpServer, { legacy: "reject" }));

async function readJson(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString("utf8"));
}

const http = createServer(async (req, res) => {
  try {
    if (req.url !== "/mcp") {
      res.writeHead(req.url === "/healthz" ? 200 : 404).end();
      return;
    }
    const body = req.method === "POST" ? await readJson(req) : undefined;
    const view = {
      method: req.method,
      headers: { get: (name) => req.headers[name.toLowerCase()] ?? null },
    };
    if (!(await isLegacyRequest(view, body))) {
      await modern(req, res, body);
      return;
    }
    const id = req.headers["mcp-session-id"];
    let transport = typeof id === "string" ? sessions.get(id) : undefined;
    if (!transport && id === undefined && req.method === "POST" && isInitializeRequest(body)) {
      transport = new NodeStreamableHTTPServerTransport({
        sessionIdGenerator: randomUUID,
        onsessioninitialized: (sid) => sessions.set(sid, transport),
      });
      transport.onclose = () => sessions.delete(transport.sessionId);
      await mcpServer().connect(transport);
    }
    if (!transport) {
      res.writeHead(404, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          jsonrpc: "2.0",
          error: { code: -32001, message: "Session not found" },
          id: null,
        }),
      );
      return;
    }
    await transport.handleRequest(req, res, body);
  } catch (err) {
    if (!res.headersSent) res.writeHead(500).end(String(err));
  }
});
http.listen(0, "127.0.0.1", () => {
  process.stderr.write(`listening on http://127.0.0.1:${http.address().port}/mcp\n`);
});
process.on("SIGTERM", () => process.exit(0));
