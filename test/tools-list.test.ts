import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_CONFIRM_ABOVE } from "../src/config.js";
import { renderToolsMarkdown, TOOLS_END, TOOLS_START } from "../src/mcp/docs.js";
import { VERSION } from "../src/version.js";
import { type Harness, startHarness } from "./helpers/harness.js";

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

  it("publishes every parameter of every model with its options, default and range", async () => {
    const { tools } = await h.mcp.listTools();
    const generate = tools.find((t) => t.name === "generate_video");
    const params = (generate?.inputSchema.properties?.params ?? {}) as {
      anyOf?: Array<Record<string, any>>;
    };
    const byTitle = Object.fromEntries((params.anyOf ?? []).map((b) => [b.title, b.properties]));
    expect(Object.keys(byTitle).sort()).toEqual(["kling-3-0", "kling-v2-1-master"]);
    expect(byTitle["kling-3-0"].duration).toMatchObject({
      type: "integer",
      minimum: 3,
      maximum: 15,
      default: 5,
    });
    expect(byTitle["kling-3-0"].sound).toMatchObject({ type: "boolean", default: false });
    expect(byTitle["kling-3-0"].mode).toMatchObject({ enum: ["std", "pro"], default: "pro" });
    expect(byTitle["kling-v2-1-master"].duration).toMatchObject({ enum: [5, 10], default: 5 });
    expect(byTitle["kling-v2-1-master"].cfg_scale).toMatchObject({
      type: "number",
      minimum: 0,
      maximum: 1,
      default: 0.5,
    });
    expect(byTitle["kling-v2-1-master"].negative_prompt).toMatchObject({ type: "string" });
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

  it("stays within the 6,000-byte budget an agent pays in every conversation", async () => {
    const { tools } = await h.mcp.listTools();
    const bytes = Buffer.byteLength(JSON.stringify({ tools }));
    console.log(`tools/list: ${bytes} bytes`);
    expect(bytes).toBeLessThanOrEqual(6000);
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
    expect(section.trim()).toBe(renderToolsMarkdown(tools));
  });
});
