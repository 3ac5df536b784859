/**
 * Builds the MCP server: the tool registry (published as mcp/publish.ts derives it) and
 * the one error boundary every call passes through. One server serves both protocol
 * generations: 2025-11-25 (initialize, sessions, elicitation pushed to the client) and
 * 2026-07-28 (server/discover, one request at a time, confirmation as `input_required`).
 * The SDK's surface stays in mcp/ and transports/.
 */
import {
  type CallToolResult,
  type InputRequiredResult,
  McpServer,
  ProtocolError,
  ProtocolErrorCode,
  type ServerContext,
} from "@modelcontextprotocol/server";
import type { ServerDeps } from "../generation/context.js";
import { type AnyTool, TOOLS } from "../tools/index.js";
import { VERSION } from "../version.js";
import { callContext } from "./call-context.js";
import { Confirmations, isQuestionPending } from "./confirmation.js";
import { classify, errorText } from "./error-boundary.js";
import { SERVER_ICONS } from "./icons.js";
import { describeTools } from "./publish.js";

export type { AnyTool };

export const INSTRUCTIONS =
  "Generate videos with Rivya: list_models shows models, costs and parameters; upload_reference turns an image into a reference item; generate_video submits (model settings inside params; use client_request_id so retries never pay twice) and returns a task id at once; get_task reports status, cost and the video URL.";

export interface McpOptions {
  /**
   * Signs the `requestState` of a 2026 confirmation. Every process that may receive the
   * answer (every replica) must hold the same key; see Store.sharedSecret.
   */
  requestStateKey?: Uint8Array | undefined;
}

export function createServer(
  deps: ServerDeps,
  tools: readonly AnyTool[] = TOOLS,
  options: McpOptions = {},
): McpServer {
  const confirmations = new Confirmations(deps.owner, options.requestStateKey);
  const mcp = new McpServer(
    {
      name: "rivya-mcp",
      title: "Rivya video generation",
      version: VERSION,
      icons: SERVER_ICONS,
      websiteUrl: "https://rivya.ai",
    },
    {
      instructions: INSTRUCTIONS,
      // Declared here, not by registerTool: this server's tool list never changes while it runs.
      capabilities: { tools: { listChanged: false } },
      // Both lists are fixed for the life of the process; a person's budget changes only
      // with a restart, so an hour is safe (hints reach 2026 clients only).
      cacheHints: {
        "tools/list": { ttlMs: 3_600_000, cacheScope: "private" },
        "server/discover": { ttlMs: 3_600_000, cacheScope: "public" },
      },
      requestState: { verify: confirmations.verify },
    },
  );
  const byName = new Map(tools.map((t) => [t.name, t]));
  const server = mcp.server;

  // Derived on the first tools/list, not at start, so the first answer comes sooner.
  const facts = { confirmAbove: deps.config.confirmAbove, dailyBudget: deps.dailyBudget };
  server.setRequestHandler("tools/list", () => ({ tools: describeTools(tools, facts) }));
  server.setRequestHandler(
    "tools/call",
    async (request, extra): Promise<CallToolResult | InputRequiredResult> => {
      const tool = byName.get(request.params.name);
      if (!tool) {
        // A protocol error, as the MCP spec shows for an unknown tool: no tool ran.
        const names = tools.map((t) => t.name).join(", ");
        throw new ProtocolError(
          ProtocolErrorCode.InvalidParams,
          `Unknown tool '${request.params.name}'. Available: ${names}.`,
        );
      }
      const args = request.params.arguments ?? {};
      const round = await confirmations.round(extra, tool.name, args);
      const callDeps = withRequestLog(deps, extra);
      const ctx = callContext(server, extra, request.params._meta?.progressToken, round);
      try {
        const input = tool.parse ? tool.parse(args) : tool.inputSchema.parse(args);
        const running = tool.handler(input, ctx, callDeps);
        const result = await (deps.lifecycle?.track(running) ?? running);
        // A result that breaks its own schema is our bug: log it, never hand it to the agent.
        const checked = tool.outputSchema.safeParse(result.structured);
        if (!checked.success) throw new Error(`${tool.name} output: ${checked.error.message}`);
        return {
          content: [{ type: "text", text: result.text }, ...(result.links ?? [])],
          structuredContent: result.structured,
        };
      } catch (err) {
        // A 2026 client is asked through the result; it calls again with the answer.
        if (isQuestionPending(err)) return round.ask(err, extra);
        const classified = classify(err);
        if (classified.category === "internal") {
          callDeps.log.error("tool failed", {
            tool: tool.name,
            error: err instanceof Error ? err.stack : String(err),
          });
        }
        return errorResult(errorText(classified));
      }
    },
  );
  return mcp;
}

/** Over HTTP the request's id (set by the handler) ties the tool's log lines to it. */
function withRequestLog(deps: ServerDeps, extra: ServerContext): ServerDeps {
  const requestId = extra.http?.req?.headers.get("x-request-id");
  return requestId ? { ...deps, log: deps.log.child({ request_id: requestId }) } : deps;
}

function errorResult(text: string): CallToolResult {
  return { content: [{ type: "text", text }], isError: true };
}
