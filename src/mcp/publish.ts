/**
 * What tools/list publishes, derived from each tool's zod schemas with zod's own JSON Schema
 * conversion: the same schemas that validate calls are the ones agents read.
 */
import type { Tool } from "@modelcontextprotocol/server";
import * as z from "zod";
import { DEFAULT_CONFIRM_ABOVE } from "../config.js";
import type { DescribeFacts } from "../tools/define.js";
import { type AnyTool, TOOLS } from "../tools/index.js";
import { TOOL_ICONS } from "./icons.js";
import { builtToolList, withFactsList } from "./tool-list.js";

type JsonObject = Record<string, unknown>;

function jsonSchema(schema: z.ZodType, io: "input" | "output"): JsonObject {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, {
    io,
    unrepresentable: "any",
  }) as JsonObject;
  return rest;
}

/**
 * The JSON type of a property, with nested structure reduced to its outer type. Only single
 * types are published: hosts' schema checkers flag `type: [..., "null"]` as unportable, so
 * top-level fields are optional rather than nullable, and a true mix publishes no type.
 */
function outerType(prop: JsonObject): JsonObject {
  const variants = (prop.anyOf as JsonObject[] | undefined) ?? [prop];
  const types = [...new Set(variants.flatMap((v) => v.type ?? []))];
  const kept: JsonObject = types.length === 1 ? { type: types[0] } : {};
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

/** What the README documents: the defaults a server starts with. */
export const DEFAULT_FACTS: DescribeFacts = {
  confirmAbove: DEFAULT_CONFIRM_ABOVE,
  dailyBudget: undefined,
};

/** Each tool as tools/list publishes it, its description still a template (see ToolDefinition). */
export function publishedTools(tools: readonly AnyTool[] = TOOLS): Tool[] {
  return tools.map((t) => ({
    name: t.name,
    title: t.title,
    description: t.description,
    inputSchema: jsonSchema(t.inputSchema, "input") as Tool["inputSchema"],
    outputSchema: publishedOutputSchema(t.outputSchema) as Tool["outputSchema"],
    annotations: t.annotations,
    ...(TOOL_ICONS[t.name] ? { icons: TOOL_ICONS[t.name] } : {}),
  }));
}

// Schemas are converted once per tool set; the settings change only descriptions.
const templates = new WeakMap<readonly AnyTool[], Tool[]>();

/**
 * tools/list under these settings. The shipped registry's list was derived at build time
 * (mcp/tool-list.ts), so a start converts no schema; other tool sets (tests) are derived here.
 */
export function describeTools(
  tools: readonly AnyTool[] = TOOLS,
  facts: DescribeFacts = DEFAULT_FACTS,
): Tool[] {
  const built = tools === TOOLS ? builtToolList(facts) : undefined;
  if (built) return built;
  let list = templates.get(tools);
  if (!list) {
    list = publishedTools(tools);
    templates.set(tools, list);
  }
  return withFactsList(list, facts);
}
