/** Adding a model is adding one table: schemas, validation, the catalogue and the simulator follow. */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { ModelTable } from "../../src/catalog/types.js";
import { RIVYA_MODELS } from "../../src/providers/rivya/models/index.js";
import { type Harness, startHarness, textOf } from "../helpers/harness.js";

const throwaway: ModelTable = {
  id: "test-motion-1",
  displayName: "Test Motion 1",
  category: "video",
  inputs: ["text"],
  supportedModes: ["text-to-video"],
  uploadModes: [],
  price: { billing: "FIXED", credits: 7 },
  maxPromptLength: 100,
  params: [
    {
      key: "fps",
      type: "select",
      required: false,
      default: "24",
      options: ["24", "30", "60"],
      description: "Frames per second",
    },
    {
      key: "loop",
      type: "select",
      required: false,
      default: "false",
      options: ["false", "true"],
      description: "Loop the clip",
    },
    {
      key: "strength",
      type: "number",
      required: false,
      default: 2,
      min: 1,
      max: 5,
      description: "Motion strength",
    },
  ],
  referenceMedia: null,
};

let h: Harness;
beforeAll(async () => {
  const models = [...RIVYA_MODELS, throwaway];
  h = await startHarness({ models, sim: { models } });
});
afterAll(() => h.close());

it("offers the new model in tools/list and its settings in list_models", async () => {
  const { tools } = await h.mcp.listTools();
  const generate = tools.find((t) => t.name === "generate_video");
  const model = generate?.inputSchema.properties?.model as { enum: string[] };
  expect(model.enum).toContain("test-motion-1");
  const listed = await h.call("list_models", { model: "test-motion-1" });
  const params = (listed.structuredContent as any).models[0].params as any[];
  const byKey = Object.fromEntries(params.map((p) => [p.key, p]));
  expect(byKey.fps).toMatchObject({ options: [24, 30, 60], default: 24 });
  expect(byKey.loop).toMatchObject({ type: "boolean", default: false });
  expect(byKey.strength).toMatchObject({ min: 1, max: 5, default: 2 });
});

it("validates, submits and charges the new model with no other code change", async () => {
  const bad = await h.call("generate_video", {
    model: "test-motion-1",
    prompt: "spin",
    params: { fps: 25 },
  });
  expect(textOf(bad)).toContain("params.fps must be one of 24, 30, 60 for test-motion-1");
  const ok = await h.call("generate_video", {
    model: "test-motion-1",
    prompt: "spin",
    params: { fps: 60, loop: true },
  });
  expect(ok.isError, textOf(ok)).toBeFalsy();
  expect((ok.structuredContent as any).cost.credits).toBe(7);
  expect(h.sim.balance(h.apiKey)).toBe(1000 - 7);
  const listed = await h.call("list_models", { model: "test-motion-1" });
  expect((listed.structuredContent as any).models[0]).toMatchObject({
    id: "test-motion-1",
    base_credits: 7,
  });
});
