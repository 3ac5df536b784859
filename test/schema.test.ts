import { describe, expect, it } from "vitest";
import {
  describeAllowed,
  effectiveSettings,
  naturalDefault,
  paramsSchema,
  settingsLine,
  withDefaults,
} from "../src/catalog/schema.js";
import type { ModelTable, ParamSpec } from "../src/catalog/types.js";
import { MODELS } from "../src/providers/index.js";
import { closestModel } from "../src/tools/arguments.js";

/** A natural-JSON value an agent would send for an upstream option string. */
function natural(p: ParamSpec, option: string): unknown {
  const d = naturalDefault(p);
  if (typeof d === "boolean") return option === "true";
  if (typeof d === "number") return Number(option);
  return option;
}

describe("params schemas derived from the tables (walks every model and parameter)", () => {
  for (const model of MODELS) {
    const schema = paramsSchema(model);
    for (const p of model.params) {
      it(`${model.id}.${p.key}: accepts every allowed value and sends the upstream form`, () => {
        if (p.type === "select") {
          for (const option of p.options) {
            expect(schema.parse({ [p.key]: natural(p, option) })).toEqual({ [p.key]: option });
            expect(schema.parse({ [p.key]: option })).toEqual({ [p.key]: option });
          }
        } else if (p.type === "number") {
          for (const v of [p.min, (p.min + p.max) / 2, p.max]) {
            expect(schema.parse({ [p.key]: v })).toEqual({ [p.key]: v });
          }
        } else {
          expect(schema.parse({ [p.key]: "no text overlays" })).toEqual({
            [p.key]: "no text overlays",
          });
        }
      });

      it(`${model.id}.${p.key}: refuses values outside the table, naming the field and the allowed values`, () => {
        const bad =
          p.type === "select"
            ? ["not-an-option", 99]
            : p.type === "number"
              ? [p.min - 0.1, p.max + 0.5, "high"]
              : [42];
        for (const value of bad) {
          const result = schema.safeParse({ [p.key]: value });
          expect(result.success).toBe(false);
          const message = result.error?.issues[0]?.message ?? "";
          expect(message).toContain(`params.${p.key}`);
          expect(message).toContain(describeAllowed(p));
          expect(message).toContain(model.id);
        }
      });
    }

    it(`${model.id}: unknown keys are refused with the allowed keys listed`, () => {
      const result = schema.safeParse({ resolution: "1080p" });
      expect(result.success).toBe(false);
      const message = result.error?.issues[0]?.message ?? "";
      expect(message).toContain("resolution");
      for (const p of model.params) expect(message).toContain(p.key);
    });

    it(`${model.id}: defaults fill in under given values, in upstream form`, () => {
      const filled = withDefaults(model, {});
      for (const p of model.params) {
        expect(filled[p.key]).toBe(p.default);
      }
    });
  }

  it("the published JSON keeps option lists that are not ranges", () => {
    const gappy: ModelTable = {
      ...(MODELS[0] as ModelTable),
      id: "gappy",
      params: [
        {
          key: "duration",
          type: "select",
          required: false,
          default: "5",
          options: ["5", "10"],
          description: "d",
        },
      ],
    };
    expect(paramsSchema(gappy).safeParse({ duration: 7 }).success).toBe(false);
    expect(paramsSchema(gappy).parse({ duration: 10 })).toEqual({ duration: "10" });
  });
});

describe("what a request will make, derived from the tables", () => {
  const [kling, master] = MODELS as [ModelTable, ModelTable];

  it("fills every default and reads values back in the agent's form", () => {
    const params = withDefaults(kling, paramsSchema(kling).parse({ duration: 10, sound: true }));
    const settings = effectiveSettings(kling, params);
    expect(settings).toEqual({
      mode: "pro",
      multi_shots: false,
      duration: 10,
      sound: true,
      aspect_ratio: "16:9",
    });
    expect(settingsLine(kling, settings, 90)).toBe(
      "kling-3-0 · pro · multi shots off · 10 s · sound on · 16:9 · 90 credits",
    );
  });

  it("words numbers by their table description, and leaves free text to the settings object", () => {
    const params = withDefaults(master, { negative_prompt: "blur", cfg_scale: 0.8 });
    const settings = effectiveSettings(master, params);
    expect(settings).toMatchObject({ duration: 5, negative_prompt: "blur", cfg_scale: 0.8 });
    expect(settingsLine(master, settings, 160)).toBe(
      "kling-v2-1-master · 5 s · 16:9 · cfg scale 0.8 · 160 credits",
    );
  });
});

describe("an almost-right model id finds the one meant", () => {
  it.each([
    ["Kling 3.0", "kling-3-0"],
    ["KLING_3_0", "kling-3-0"],
    ["kling-3", "kling-3-0"],
    ["kling v2.1 master", "kling-v2-1-master"],
    ["Kling V2.1 Master", "kling-v2-1-master"],
  ])("%s → %s", (given, id) => {
    expect(closestModel(given, MODELS)?.id).toBe(id);
  });

  it.each(["sora-9", "veo", "runway gen-3"])("%s finds nothing", (given) => {
    expect(closestModel(given, MODELS)).toBeUndefined();
  });
});
