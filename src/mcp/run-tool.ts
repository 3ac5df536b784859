/**
 * The one error boundary: a tool's input is checked, its handler run, its result checked
 * against its own schema, and any failure turned into the text an agent reads. Used by
 * tools/call and by tasks/get (which reads a task through get_task).
 */
import type { CallToolResult } from "@modelcontextprotocol/server";
import type { ServerDeps, ToolContext } from "../generation/context.js";
import type { AnyTool } from "../tools/index.js";
import { isQuestionPending } from "./confirmation.js";
import { classify, errorText } from "./error-boundary.js";

export interface ToolOutcome {
  result: CallToolResult;
  /** The structured result when the tool succeeded. */
  structured?: Record<string, unknown>;
  /** Whether calling again may help, when it failed. */
  retryable?: boolean;
}

export async function runTool(
  tool: AnyTool,
  args: unknown,
  ctx: ToolContext,
  deps: ServerDeps,
): Promise<ToolOutcome> {
  try {
    const input = tool.parse ? tool.parse(args) : tool.inputSchema.parse(args);
    const running = tool.handler(input, ctx, deps);
    const result = await (deps.lifecycle?.track(running) ?? running);
    // A result that breaks its own schema is our bug: log it, never hand it to the agent.
    const checked = tool.outputSchema.safeParse(result.structured);
    if (!checked.success) throw new Error(`${tool.name} output: ${checked.error.message}`);
    return {
      result: {
        content: [{ type: "text", text: result.text }, ...(result.links ?? [])],
        structuredContent: result.structured,
      },
      structured: result.structured,
    };
  } catch (err) {
    // A question for a 2026 client travels in the result: the caller turns it into one.
    if (isQuestionPending(err)) throw err;
    const classified = classify(err);
    if (classified.category === "internal") {
      deps.log.error("tool failed", {
        tool: tool.name,
        error: err instanceof Error ? err.stack : String(err),
      });
    }
    return {
      result: { content: [{ type: "text", text: errorText(classified) }], isError: true },
      retryable: classified.retryable,
    };
  }
}
