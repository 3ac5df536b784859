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
import { callContext } from "./call-context.js";
import { Confirmations, isQuestionPending, type KeySource } from "./confirmation.js";
import { CACHE_HINTS, CAPABILITIES, INSTRUCTIONS, SERVER_INFO } from "./identity.js";
import { describeTools } from "./publish.js";
import { runTool } from "./run-tool.js";
import { asTaskArgs, createdTask, registerTaskHandlers, runsAsTask } from "./tasks.js";
import { describeFacts } from "./tool-list.js";

export type { AnyTool };

export interface McpOptions {
  /**
   * Gives the key that signs the `requestState` of a 2026 confirmation. Every process that
   * may receive the answer (every replica) must get the same key; see Store.sharedSecret.
   */
  requestStateKey?: KeySource | undefined;
}

export function createServer(
  deps: ServerDeps,
  tools: readonly AnyTool[] = TOOLS,
  options: McpOptions = {},
): McpServer {
  const confirmations = new Confirmations(deps.owner, options.requestStateKey);
  const mcp = new McpServer(SERVER_INFO, {
    instructions: INSTRUCTIONS,
    capabilities: CAPABILITIES,
    cacheHints: CACHE_HINTS,
    requestState: { verify: confirmations.verify },
  });
  const byName = new Map(tools.map((t) => [t.name, t]));
  const server = mcp.server;

  // The list for these settings: built once (embedded at build time for the shipped tools).
  const facts = describeFacts(deps.config, deps.dailyBudget);
  server.setRequestHandler("tools/list", () => ({ tools: describeTools(tools, facts) }));
  const getTask = byName.get("get_task");
  if (getTask)
    registerTaskHandlers(server, deps, async (ledgerId, extra) => {
      const args = { task_id: ledgerId };
      const round = await confirmations.round(extra, getTask.name, args);
      const ctx = callContext(server, extra, undefined, round);
      return runTool(getTask, args, ctx, withRequestLog(deps, extra));
    });
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
      const ctx = callContext(server, extra, request.params._meta?.progressToken, round);
      // Tasks need get_task to read them; a server built without it answers as for any client.
      const asTask = getTask !== undefined && runsAsTask(tool.name, extra);
      try {
        const outcome = await runTool(
          tool,
          asTask ? asTaskArgs(args) : args,
          ctx,
          withRequestLog(deps, extra),
        );
        const task = asTask ? createdTask(outcome) : undefined;
        // SDK 2.4 types tools/call results without the extension's task shape (and adds an
        // empty `content` to it on the wire, which clients of the extension ignore).
        return task ? (task as unknown as CallToolResult) : outcome.result;
      } catch (err) {
        // A 2026 client is asked through the result; it calls again with the answer.
        if (isQuestionPending(err)) return round.ask(err, extra);
        throw err;
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
