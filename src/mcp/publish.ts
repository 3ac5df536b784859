/**
 * What tools/list publishes, derived from each tool's zod schemas with zod's own JSON Schema
 * conversion: the same schemas that validate calls are the ones agents read.
 */
import type { Tool } from "@modelcontextprotocol/server";
import * as z from "zod";
import { DEFAULT_CONFIRM_ABOVE } from "../config.js";
import type { DescribeFacts } from "../tools/define.js";
import { type AnyTool, TOOLS } from "../tools/index.js";

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

type Schemas = Pick<Tool, "inputSchema" | "outputSchema">;

/**
 * The shipped registry's JSON Schemas, derived at build time (scripts/build.mjs, with
 * publishedSchemas below) from the same zod schemas and model tables, so a start answers its
 * first tools/list without converting anything. Absent when running from source (tests,
 * tsx): then they are derived on first use, as for any other tool set.
 */
declare const __RIVYA_TOOL_SCHEMAS__: Record<string, Schemas> | undefined;
const built = typeof __RIVYA_TOOL_SCHEMAS__ === "undefined" ? undefined : __RIVYA_TOOL_SCHEMAS__;

// Converted once per tool: the settings (facts) change descriptions, never schemas.
const converted = new WeakMap<AnyTool, Schemas>();

function schemasOf(t: AnyTool, tools: readonly AnyTool[]): Schemas {
  let s = converted.get(t);
  if (!s) {
    s = (tools === TOOLS ? built?.[t.name] : undefined) ?? {
      inputSchema: jsonSchema(t.inputSchema, "input") as Tool["inputSchema"],
      outputSchema: publishedOutputSchema(t.outputSchema) as Tool["outputSchema"],
    };
    converted.set(t, s);
  }
  return s;
}

/** What the build embeds: each shipped tool's published JSON Schemas, by name. */
export function publishedSchemas(tools: readonly AnyTool[] = TOOLS): Record<string, Schemas> {
  return Object.fromEntries(
    tools.map((t) => [
      t.name,
      {
        inputSchema: jsonSchema(t.inputSchema, "input") as Tool["inputSchema"],
        outputSchema: publishedOutputSchema(t.outputSchema) as Tool["outputSchema"],
      },
    ]),
  );
}

// The list is built once per tool set and settings, not per session or stateless request.
const described = new WeakMap<readonly AnyTool[], Map<string, Tool[]>>();

export function describeTools(
  tools: readonly AnyTool[] = TOOLS,
  facts: DescribeFacts = DEFAULT_FACTS,
): Tool[] {
  const key = `${facts.confirmAbove}/${facts.dailyBudget ?? "none"}`;
  const perFacts = described.get(tools) ?? new Map<string, Tool[]>();
  described.set(tools, perFacts);
  const cached = perFacts.get(key);
  if (cached) return cached;
  const list = tools.map((t) => ({
    name: t.name,
    title: t.title,
    description: typeof t.description === "string" ? t.description : t.description(facts),
    ...schemasOf(t, tools),
    annotations: t.annotations,
  }));
  perFacts.set(key, list);
  return list;
}
