/**
 * Reference for cold start and tool-call overhead: the smallest useful MCP server on the
 * SDK generation rivya-mcp ships (v2) — McpServer, one no-op tool, served with serveStdio
 * so it answers both protocol generations (2025-11-25 initialize, 2026-07-28 discover), as
 * the SDK's README shows. The bench bundles it with esbuild exactly as scripts/build.mjs
 * bundles rivya-mcp (bench/lib/bundle.mjs), so both start from one minified file.
 */
import { McpServer } from "@modelcontextprotocol/server";
import { serveStdio } from "@modelcontextprotocol/server/stdio";

serveStdio(() => {
  const server = new McpServer({ name: "reference", version: "1.0.0" });
  server.registerTool("noop", { description: "Does nothing." }, async () => ({
    content: [{ type: "text", text: "ok" }],
  }));
  return server;
});
