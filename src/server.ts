/**
 * Builds the MCP server: the tool registry, published JSON Schemas, and the one error
 * boundary every call passes through. The SDK's surface stays in this file and transports/.
 */
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import {
  CallToolRequestSchema,
  type CallToolResult,
  ListToolsRequestSchema,
  type Tool,
} from "@modelcontextprotocol/sdk/types.js";
import { AjvJsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/ajv-provider.js";
import type {
  JsonSchemaType,
  jsonSchemaValidator,
} from "@modelcontextprotocol/sdk/validation/types.js";
import { z } from "zod";
import { classify, errorText } from "./tools/errors.js";
import { type AnyTool, TOOLS } from "./tools/index.js";
import type { ServerDeps, ToolContext } from "./tools/types.js";
import { VERSION } from "./version.js";

type JsonObject = Record<string, unknown>;

function jsonSchema(schema: z.ZodType, io: "input" | "output"): JsonObject {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, {
    io,
    unrepresentable: "any",
  }) as JsonObject;
  return rest;
}

/** JSON types of a property, with nested structure reduced to its outer type. */
function outerType(prop: JsonObject): JsonObject {
  const variants = (prop.anyOf as JsonObject[] | undefined) ?? [prop];
  const types = variants.flatMap((v) => v.type ?? []);
  const type = types.length === 1 ? types[0] : types;
  const kept: JsonObject = { type };
  for (const key of ["description", "enum"]) if (prop[key] !== undefined) kept[key] = prop[key];
  return kept;
}

/**
 * Output schemas are published one level deep: agents read structuredContent itself, and
 * every nested field spelled out would cost each conversation thousands of bytes. The full
 * zod schema still checks every result before it is returned (see the call handler).
 */
function publishedOutputSchema(schema: z.ZodType): JsonObject {
  const full = jsonSchema(schema, "output");
  const properties = Object.entries((full.properties ?? {}) as Record<string, JsonObject>);
  return {
    type: "object",
    properties: Object.fromEntries(properties.map(([k, v]) => [k, outerType(v)])),
  };
}

/** The tools/list entries; computed once, they only change when the tables do. */
// JSON Schemas are derived once per tool set, not per session or stateless request.
const described = new WeakMap<readonly AnyTool[], Tool[]>();

export function describeTools(tools: readonly AnyTool[] = TOOLS): Tool[] {
  const cached = described.get(tools);
  if (cached) return cached;
  const list = tools.map((t) => ({
    name: t.name,
    title: t.title,
    description: t.description,
    inputSchema: jsonSchema(t.inputSchema, "input") as Tool["inputSchema"],
    outputSchema: publishedOutputSchema(t.outputSchema) as Tool["outputSchema"],
    annotations: t.annotations,
  }));
  described.set(tools, list);
  return list;
}

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
  "Generate videos with Rivya: list_models shows models, costs and parameters; upload_reference turns an image into a reference item; generate_video submits (use client_request_id so retries never pay twice) and returns a task id at once; get_task reports status, cost and the video URL.";

export function createServer(deps: ServerDeps, tools: readonly AnyTool[] = TOOLS): McpServer {
  const mcp = new McpServer(
    { name: "rivya-mcp", title: "Rivya video generation", version: VERSION },
    {
      capabilities: { tools: { listChanged: false } },
      instructions: INSTRUCTIONS,
      jsonSchemaValidator: new LazyAjv(),
    },
  );
  const byName = new Map(tools.map((t) => [t.name, t]));
  const server = mcp.server;

  // Derived on the first tools/list, not at start, so initialize is answered sooner.
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: describeTools(tools) }));
  server.setRequestHandler(
    CallToolRequestSchema,
    async (request, extra): Promise<CallToolResult> => {
      const tool = byName.get(request.params.name);
      if (!tool) {
        const names = tools.map((t) => t.name).join(", ");
        return errorResult(`Unknown tool '${request.params.name}'. Available: ${names}.`);
      }
      const progressToken = request.params._meta?.progressToken;
      // Over HTTP the transport passes the request's headers; its id ties tool logs to it.
      const requestId = extra.requestInfo?.headers["x-request-id"];
      const callDeps =
        typeof requestId === "string"
          ? { ...deps, log: deps.log.child({ request_id: requestId }) }
          : deps;
      const ctx: ToolContext = {
        signal: extra.signal,
        progress: async (progress, total, message) => {
          if (progressToken === undefined) return;
          await extra.sendNotification({
            method: "notifications/progress",
            params: { progressToken, progress, ...(total === undefined ? {} : { total }), message },
          });
        },
        askPerson: async (message) => {
          if (!server.getClientCapabilities()?.elicitation?.form) return undefined;
          const answer = await server.elicitInput(
            {
              message,
              requestedSchema: {
                type: "object",
                properties: {
                  approve: { type: "boolean", title: "Approve", description: message },
                },
                required: ["approve"],
              },
            },
            { signal: extra.signal },
          );
          return answer.action === "accept" && answer.content?.approve === true;
        },
        roots: async () => {
          if (!server.getClientCapabilities()?.roots) return undefined;
          const { roots } = await server.listRoots(undefined, { signal: extra.signal });
          return roots.length ? roots.map((r) => r.uri) : undefined;
        },
      };
      try {
        const args = request.params.arguments ?? {};
        const input = tool.parse ? tool.parse(args) : tool.inputSchema.parse(args);
        const result = await tool.handler(input, ctx, callDeps);
        // A result that breaks its own schema is our bug: log it, never hand it to the agent.
        const checked = tool.outputSchema.safeParse(result.structured);
        if (!checked.success) throw new Error(`${tool.name} output: ${checked.error.message}`);
        return {
          content: [{ type: "text", text: result.text }],
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

function errorResult(text: string): CallToolResult {
  return { content: [{ type: "text", text }], isError: true };
}
