import type { ModelTable } from "../catalog/types.js";
import { MODELS } from "../providers/index.js";
import type { ToolDefinition } from "./define.js";
import { generateVideoTool } from "./generate-video.js";
import { getTask } from "./get-task.js";
import { listModelsTool } from "./list-models.js";
import { uploadReferenceTool } from "./upload-reference.js";

// biome-ignore lint/suspicious/noExplicitAny: each tool keeps its own precise types; the registry only dispatches.
export type AnyTool = ToolDefinition<any, any, any>;

/** The registry, built from the model tables: tools/list order and the names manifest.json must match. */
export function createTools(models: readonly ModelTable[] = MODELS): AnyTool[] {
  return [listModelsTool(models), uploadReferenceTool(models), generateVideoTool(models), getTask];
}

export const TOOLS: readonly AnyTool[] = createTools();
