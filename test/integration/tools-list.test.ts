import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeAllowed, naturalDefault, naturalValue } from "../../src/catalog/schema.js";
import type { ModelTable } from "../../src/catalog/types.js";
import { DEFAULT_CONFIRM_ABOVE } from "../../src/config.js";
import { renderToolsMarkdown, TOOLS_END, TOOLS_START } from "../../src/mcp/docs.js";
import { describeTools } from "../../src/mcp/publish.js";
import { MODELS } from "../../src/providers/index.js";
import { RIVYA_MODELS } from "../../src/providers/rivya/models/index.js";
import { createTools } from "../../src/tools/index.js";
import { VERSION } from "../../src/version.js";
import { type Harness, startHarness, textOf } from "../helpers/harness.js";
import { throwawayModels } from "../helpers/throwaway-models.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

describe("tools/list as a real client sees it", () => {
  it("matches the committed snapshot", async () => {
    const { tools } = await h.mcp.listTools();
    await expect(`${JSON.stringify(tools, null, 2)}\n`).toMatchFileSnapshot(
      "./__snapshots__/tools-list.json",
    );
  });

  it("publishes params as one plain object that names no model's settings", async () => {
    const { tools } = await h.mcp.listTools();
    const generate = tools.find((t) => t.name === "generate_video");
    const params = generate?.inputSchema.properties?.params as Record<string, unknown>;
    expect(params).toMatchObject({ type: "object" });
    expect(params.anyOf).toBeUndefined();
    expect(String(params.description)).toContain("list_models");
    const published = JSON.stringify(params);
    for (const p of MODELS.flatMap((m) => m.params)) expect(published).not.toContain(`"${p.key}"`);
  });

  it("list_models gives every setting of every model: type, allowed values, default, rules", async () => {
    const r = await h.call("list_models");
    const listed = (r.structuredContent as { models: any[] }).models;
    expect(listed.map((m) => m.id)).toEqual(MODELS.map((m) => m.id));
    for (const [i, model] of MODELS.entries()) {
      const views = listed[i].params as Array<Record<string, unknown>>;
      expect(views.map((v) => v.key)).toEqual(model.params.map((p) => p.key));
      for (const [j, p] of model.params.entries()) {
        const view = views[j] ?? {};
        expect(view, `${model.id}.${p.key}`).toMatchObject({
          required: p.required,
          default: naturalDefault(p) ?? null,
          allowed: describeAllowed(p),
          description: p.description,
        });
        if (p.type === "select")
          expect(view.options).toEqual(p.options.map((o) => naturalValue(p, o)));
        if (p.type === "number") expect(view).toMatchObject({ min: p.min, max: p.max });
        // Text-only clients get the same facts in the text.
        expect(textOf(r)).toContain(`${p.key}: ${describeAllowed(p)}`);
      }
      expect(listed[i].rules).toEqual(model.rules);
    }
  });

  it("declares an output schema and the annotations DESIGN.md asks for", async () => {
    const { tools } = await h.mcp.listTools();
    const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
    for (const t of tools) {
      expect(t.outputSchema?.type).toBe("object");
      expect(t.inputSchema.type).toBe("object");
      expect(t.annotations?.openWorldHint).toBe(true);
    }
    expect(byName.list_models?.annotations?.readOnlyHint).toBe(true);
    // get_task can save a file (download): not read-only, but it destroys nothing.
    expect(byName.get_task?.annotations).toMatchObject({
      readOnlyHint: false,
      destructiveHint: false,
    });
    for (const name of ["upload_reference", "generate_video"]) {
      expect(byName[name]?.annotations).toMatchObject({
        readOnlyHint: false,
        destructiveHint: false,
      });
      // A repeat creates again: idempotentHint is absent, which means false.
      expect(byName[name]?.annotations?.idempotentHint ?? false).toBe(false);
    }
  });

  it("refuses unknown keys in every tool's published schema", async () => {
    const { tools } = await h.mcp.listTools();
    for (const t of tools) expect(t.inputSchema.additionalProperties, t.name).toBe(false);
  });

  it("publishes output types hosts can check: one type per field, never a [..., 'null'] list", async () => {
    const { tools } = await h.mcp.listTools();
    for (const t of tools) {
      for (const [field, prop] of Object.entries(t.outputSchema?.properties ?? {})) {
        expect(typeof (prop as { type?: unknown }).type, `${t.name}.${field}`).toBe("string");
      }
    }
  });

  it("gives each tool an icon of its own: one inline SVG path, nothing to fetch", async () => {
    const { tools } = await h.mcp.listTools();
    const srcs = tools.map((t) => {
      expect(t.icons, t.name).toHaveLength(1);
      return t.icons?.[0]?.src ?? "";
    });
    expect(new Set(srcs).size).toBe(tools.length);
    for (const src of srcs) {
      expect(src.startsWith("data:image/svg+xml,")).toBe(true);
      const svg = decodeURIComponent(src.slice(src.indexOf(",") + 1));
      expect(svg).toMatch(
        /^<svg xmlns='http:\/\/www\.w3\.org\/2000\/svg' viewBox='0,0,8,8'><path d='[MmLlHhVvZz0-9,.-]+'\/><\/svg>$/,
      );
    }
  });

  it("stays within the 6,000-byte budget an agent pays in every conversation", async () => {
    const { tools } = await h.mcp.listTools();
    const bytes = Buffer.byteLength(JSON.stringify({ tools }));
    console.log(`tools/list: ${bytes} bytes with ${MODELS.length} models`);
    expect(bytes).toBeLessThanOrEqual(6000);
  });
});

describe("tools/list does not grow with the catalogue", () => {
  const bytesWith = (models: readonly ModelTable[]) =>
    Buffer.byteLength(JSON.stringify({ tools: describeTools(createTools(models)) }));

  it("five models of two providers and more stay within 7,500 bytes, as a client sees it", async () => {
    // Rivya's two and a throwaway storyboard model as Rivya's tables, EvoLink's two beside them.
    const models = [...RIVYA_MODELS, ...throwawayModels(1)];
    const more = await startHarness({ models, sim: { models } });
    const { tools } = await more.mcp.listTools().finally(() => more.close());
    expect(Buffer.byteLength(JSON.stringify({ tools }))).toBeLessThanOrEqual(7500);
  });

  it("measures 2, 5 and 10 models; only the model ids are added", () => {
    const sizes = [0, 3, 8].map((extra) => {
      const models = [...MODELS, ...throwawayModels(extra)];
      return { models: models.length, bytes: bytesWith(models) };
    });
    console.log(sizes.map((s) => `${s.models} models: ${s.bytes} bytes`).join("; "));
    const [two, ten] = [sizes[0], sizes[2]] as [(typeof sizes)[0], (typeof sizes)[0]];
    // Each id appears in two enums (generate_video and upload_reference): ~2×(id + 3) bytes.
    const ids = throwawayModels(8).reduce((n, m) => n + 2 * (m.id.length + 3), 0);
    expect(ten.bytes - two.bytes).toBeLessThanOrEqual(ids);
  });
});

describe("what the docs and the bundle say", () => {
  it("manifest.json lists exactly the registered tools, at the package version", async () => {
    const manifest = JSON.parse(readFileSync("manifest.json", "utf8"));
    const pkg = JSON.parse(readFileSync("package.json", "utf8"));
    const { tools } = await h.mcp.listTools();
    expect(manifest.tools.map((t: { name: string }) => t.name).sort()).toEqual(
      tools.map((t) => t.name).sort(),
    );
    expect(manifest.manifest_version).toBe("0.3");
    expect(manifest.server.type).toBe("node");
    expect(manifest.user_config.api_key.sensitive).toBe(true);
    expect(manifest.server.mcp_config.env.RIVYA_API_KEY).toBe("${user_config.api_key}");
    expect(manifest.version).toBe(pkg.version);
    expect(VERSION).toBe(pkg.version);
  });

  it("README's Tools section is generated from the current schemas (run npm run docs)", async () => {
    const readme = readFileSync("README.md", "utf8");
    // The README documents a server started with the default threshold and no budget.
    const defaults = await startHarness({ config: { confirmAbove: DEFAULT_CONFIRM_ABOVE } });
    const { tools } = await defaults.mcp.listTools().finally(() => defaults.close());
    const section = readme.slice(
      readme.indexOf(TOOLS_START) + TOOLS_START.length,
      readme.indexOf(TOOLS_END),
    );
    expect(section.trim()).toBe(renderToolsMarkdown(tools, MODELS));
  });
});
