/**
 * Builds the MCP server: the tool registry (published as mcp/publish.ts derives it) and
 * the one error boundary every call passes through. The SDK's surface stays in this file and transports/.
 */
import type { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import {
  CallToolRequestSchema,
  type CallToolResult,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
  type ProgressToken,
} from "@modelcontextprotocol/sdk/types.js";
import { AjvJsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/ajv-provider.js";
import type {
  JsonSchemaType,
  jsonSchemaValidator,
} from "@modelcontextprotocol/sdk/validation/types.js";
import type { ServerDeps, ToolContext } from "../generation/context.js";
import { type AnyTool, TOOLS } from "../tools/index.js";

export type { AnyTool };

import { VERSION } from "../version.js";
import { classify, errorText } from "./error-boundary.js";
import { describeTools } from "./publish.js";

/**
 * The SDK builds an Ajv instance for every Server (~10 ms of a stdio cold start, and memory
 * in every HTTP session); only elicitation (askPerson) uses it, so it is built on first use.
 */
class LazyAjv implements jsonSchemaValidator {
  private ajv: AjvJsonSchemaValidator | undefined;
  getValidator<T>(schema: JsonSchemaType) {
    this.ajv ??= new AjvJsonSchemaValidator();
    return this.ajv.getValidator<T>(schema);
  }
}

export const INSTRUCTIONS =
  "Generate videos with Rivya: list_models shows models, costs and parameters; upload_reference turns an image into a reference item; generate_video submits (model settings inside params; use client_request_id so retries never pay twice) and returns a task id at once; get_task reports status, cost and the video URL.";

export function createServer(deps: ServerDeps, tools: readonly AnyTool[] = TOOLS): McpServer {
  const mcp = new McpServer(
    { name: "rivya-mcp", title: "Rivya video generation", version: VERSION },
    { instructions: INSTRUCTIONS, jsonSchemaValidator: new LazyAjv() },
  );
  const byName = new Map(tools.map((t) => [t.name, t]));
  const server = mcp.server;
  // Declared on the low-level server: McpServer would announce listChanged: true, and this
  // server's tool list never changes while it runs.
  server.registerCapabilities({ tools: { listChanged: false } });

  // Derived on the first tools/list, not at start, so initialize is answered sooner.
  const facts = { confirmAbove: deps.config.confirmAbove, dailyBudget: deps.dailyBudget };
  server.setRequestHandler(ListToolsRequestSchema, () => ({
    tools: describeTools(tools, facts),
  }));
  server.setRequestHandler(
    CallToolRequestSchema,
    async (request, extra): Promise<CallToolResult> => {
      const tool = byName.get(request.params.name);
      if (!tool) {
        // A protocol error, as the MCP spec shows for an unknown tool: no tool ran. A plain
        // Error with a code, since McpError would prefix its message with "MCP error -32602".
        const names = tools.map((t) => t.name).join(", ");
        const message = `Unknown tool '${request.params.name}'. Available: ${names}.`;
        throw Object.assign(new Error(message), { code: ErrorCode.InvalidParams });
      }
      // Over HTTP the transport passes the request's headers; its id ties tool logs to it.
      const requestId = extra.requestInfo?.headers["x-request-id"];
      const callDeps =
        typeof requestId === "string"
          ? { ...deps, log: deps.log.child({ request_id: requestId }) }
          : deps;
      const ctx = callContext(server, extra, request.params._meta?.progressToken);
      try {
        const args = request.params.arguments ?? {};
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

type RequestExtra = Parameters<Parameters<Server["setRequestHandler"]>[1]>[1];

/** What a tool may ask of the session its call arrived on. */
function callContext(
  server: Server,
  extra: RequestExtra,
  progressToken: ProgressToken | undefined,
): ToolContext {
  const caps = () => server.getClientCapabilities();
  return {
    signal: extra.signal,
    progress: async (progress, total, message) => {
      if (progressToken === undefined) return;
      await extra.sendNotification({
        method: "notifications/progress",
        params: { progressToken, progress, ...(total === undefined ? {} : { total }), message },
      });
    },
    askPerson: async (message) => {
      if (!caps()?.elicitation?.form) return undefined;
      const requestedSchema = {
        type: "object" as const,
        properties: {
          approve: { type: "boolean" as const, title: "Approve", description: message },
        },
        required: ["approve"],
      };
      try {
        const answer = await server.elicitInput(
          { message, requestedSchema },
          { signal: extra.signal },
        );
        return answer.action === "accept" && answer.content?.approve === true;
      } catch (err) {
        // A question cancelled or left unanswered is a decline: only a yes spends money.
        if (extra.signal.aborted || isTimeout(err)) return false;
        // The client could not ask after all: treat it as a client that cannot ask.
        return undefined;
      }
    },
    roots: async () => {
      if (!caps()?.roots) return undefined;
      const { roots } = await server.listRoots(undefined, { signal: extra.signal });
      return roots.length ? roots.map((r) => r.uri) : undefined;
    },
  };
}

const isTimeout = (err: unknown) =>
  err instanceof McpError && err.code === ErrorCode.RequestTimeout;

function errorResult(text: string): CallToolResult {
  return { content: [{ type: "text", text }], isError: true };
}
