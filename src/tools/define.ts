import type * as z from "zod";
import type { ResourceLink, ServerDeps, ToolContext } from "../generation/context.js";

export type { ResourceLink, ServerDeps, ToolContext } from "../generation/context.js";

export interface ToolResult<O> {
  structured: O;
  /** A short summary for clients that read only text. */
  text: string;
  /** Content after the text, e.g. the finished video, for hosts that show media. */
  links?: ResourceLink[];
}

export interface ToolAnnotations {
  readOnlyHint: boolean;
  destructiveHint?: boolean;
  idempotentHint?: boolean;
  openWorldHint: boolean;
}

/** Reads Rivya, changes nothing. */
export const READS: ToolAnnotations = { readOnlyHint: true, openWorldHint: true };
/**
 * Reads Rivya and may save a file on this machine (get_task's download): not read-only,
 * but it destroys nothing and saving the same task again gives the same file.
 */
export const READS_AND_SAVES: ToolAnnotations = {
  readOnlyHint: false,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: true,
};
/** Creates something at Rivya (a file, a paid task); destroys nothing; a repeat creates again. */
export const CREATES: ToolAnnotations = {
  readOnlyHint: false,
  destructiveHint: false,
  // idempotentHint is left out: false is its default.
  openWorldHint: true,
};

/** The settings in force that tool descriptions state (they differ per server and token). */
export interface DescribeFacts {
  confirmAbove: number;
  dailyBudget: number | undefined;
  /** The daily budget counts US dollars (several providers keyed; see ServerConfig). */
  budgetInUsd?: boolean | undefined;
}

export interface ToolDefinition<
  I extends z.ZodType = z.ZodType,
  O extends z.ZodType = z.ZodType,
  P = z.output<I>,
> {
  name: string;
  title: string;
  /**
   * What agents read. `{confirm_above}` and `{daily_budget}` stand for the settings in force
   * (mcp/tool-list.ts fills them), so the text stays data the build can embed.
   */
  description: string;
  /** Published in tools/list; also validates the call unless `parse` is given. */
  inputSchema: I;
  outputSchema: O;
  annotations: ToolAnnotations;
  /** Validation richer than the published schema can express (e.g. model ↔ params pairing). */
  parse?: (args: unknown) => P;
  handler(input: P, ctx: ToolContext, deps: ServerDeps): Promise<ToolResult<z.output<O>>>;
}

/** Keeps each tool file's types tight without repeating generics. */
export function defineTool<I extends z.ZodType, O extends z.ZodType, P = z.output<I>>(
  tool: ToolDefinition<I, O, P>,
): ToolDefinition<I, O, P> {
  return tool;
}
