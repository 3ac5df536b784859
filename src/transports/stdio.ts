/** stdio: one session per process; stdout carries only the protocol, logs go to stderr. */
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { createServer } from "../server.js";
import type { ServerDeps } from "../tools/types.js";

export async function runStdio(deps: ServerDeps): Promise<void> {
  const server = createServer(deps);
  const transport = new StdioServerTransport();
  const shutdown = async () => {
    await server.close().catch(() => {});
    await deps.client.close().catch(() => {});
    process.exit(0);
  };
  // The client closing our stdin is how desktop assistants end a stdio server.
  process.stdin.on("end", shutdown);
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
  await server.connect(transport);
  deps.log.info("rivya-mcp ready on stdio");
}
