/**
 * Every tool in the registry, whatever the catalogue and settings: a name agents and hosts
 * accept, a title, a description short enough to pay for in every conversation, hints a host
 * can act on stated outright, and an output schema. A new tool that skips one fails here.
 */
import { describe, expect, it } from "vitest";
import { describeTools } from "../../src/mcp/publish.js";
import { MODELS } from "../../src/providers/index.js";
import { createTools } from "../../src/tools/index.js";
import { throwawayModels } from "../helpers/throwaway-models.js";

const DESCRIPTION_CAP = 400;
const ARGUMENT_CAP = 200;

const registries = {
  "the catalogue": createTools(MODELS),
  "three more models": createTools([...MODELS, ...throwawayModels(3)]),
};
const settings = [
  { confirmAbove: 100, dailyBudget: undefined },
  { confirmAbove: 1_000_000, dailyBudget: 1_000_000 },
];

describe.each(Object.entries(registries))("every tool, with %s", (_, tools) => {
  it("has a unique snake_case name and a title", () => {
    const names = tools.map((t) => t.name);
    expect(new Set(names).size).toBe(names.length);
    for (const t of tools) {
      expect(t.name).toMatch(/^[a-z][a-z0-9]*(_[a-z0-9]+)*$/);
      expect(t.title.trim(), t.name).not.toBe("");
    }
  });

  it.each(settings)("has a description under the cap (%o)", (facts) => {
    for (const t of describeTools(tools, facts)) {
      expect(t.description?.length ?? 0, t.name).toBeGreaterThan(20);
      expect(t.description?.length ?? 0, t.name).toBeLessThanOrEqual(DESCRIPTION_CAP);
      for (const [arg, schema] of Object.entries(t.inputSchema.properties ?? {})) {
        const description = (schema as { description?: string }).description ?? "";
        expect(description, `${t.name}.${arg}`).not.toBe("");
        expect(description.length, `${t.name}.${arg}`).toBeLessThanOrEqual(ARGUMENT_CAP);
      }
    }
  });

  it("states its annotation hints outright: read-only, open-world, and destructive when it writes", () => {
    for (const t of tools) {
      expect(typeof t.annotations.readOnlyHint, t.name).toBe("boolean");
      expect(typeof t.annotations.openWorldHint, t.name).toBe("boolean");
      if (!t.annotations.readOnlyHint)
        expect(typeof t.annotations.destructiveHint, t.name).toBe("boolean");
    }
  });

  it("declares an object output schema and an input schema that refuses unknown keys", () => {
    for (const t of describeTools(tools)) {
      expect(t.outputSchema?.type, t.name).toBe("object");
      expect(Object.keys(t.outputSchema?.properties ?? {}).length, t.name).toBeGreaterThan(0);
      expect(t.inputSchema.type, t.name).toBe("object");
      expect(t.inputSchema.additionalProperties, t.name).toBe(false);
    }
  });
});
