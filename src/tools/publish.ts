/**
 * What tools/list publishes, derived from each tool's zod schemas with zod's own JSON Schema
 * conversion: the same schemas that validate calls are the ones agents read.
 */
import type { Tool } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { type AnyTool, TOOLS } from "./index.js";

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
