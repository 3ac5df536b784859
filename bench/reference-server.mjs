/**
 * Reference for cold start and tool-call overhead: the smallest useful MCP server on the
 * same SDK — McpServer, one no-op tool, StdioServerTransport — written the way the SDK's
 * README shows. Run unbundled from node_modules, as such a server usually ships.
 */
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";

const server = new McpServer({ name: "reference", version: "1.0.0" });
server.registerTool("noop", { description: "Does nothing." }, async () => ({
  content: [{ type: "text", text: "ok" }],
}));
await server.connect(new StdioServerTransport());
