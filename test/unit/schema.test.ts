import { describe, expect, it } from "vitest";
import {
  describeAllowed,
  effectiveSettings,
  naturalDefault,
  paramsSchema,
  ruleProblems,
  settingsLine,
  withDefaults,
} from "../../src/catalog/schema.js";
import type { ModelTable, ParamSpec } from "../../src/catalog/types.js";
import { settingsInWords, viewSetting } from "../../src/catalog/view.js";
import { ToolInputError } from "../../src/errors/tool-error.js";
import { renderToolsMarkdown } from "../../src/mcp/docs.js";
import { formatZodError } from "../../src/mcp/error-boundary.js";
import { describeTools } from "../../src/mcp/publish.js";
import { MODELS } from "../../src/providers/index.js";
import { apiModel } from "../../src/providers/rivya/simulator/models.js";
import { closestModel } from "../../src/tools/arguments.js";
import { parseGenerateCall } from "../../src/tools/generate-request.js";
import { createTools } from "../../src/tools/index.js";
import { storyboardModel } from "../helpers/throwaway-models.js";

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
        } else if (p.type === "list" || p.type === "object") {
          // One item (or object) built from each field's first allowed value.
          const fields = Object.fromEntries(p.fields.map((f) => [f.key, sampleOf(f)]));
          const value = p.type === "list" ? Array(p.minItems).fill(fields) : fields;
          expect(schema.parse({ [p.key]: value })).toEqual({ [p.key]: value });
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

describe("a storyboard table: a list param with item fields and a cross-field hook", () => {
  const schema = paramsSchema(storyboardModel);
  const call = (params: Record<string, unknown>) =>
    parseGenerateCall([storyboardModel], { model: storyboardModel.id, prompt: "x", params });
  const messageOf = (params: Record<string, unknown>) => {
    const result = schema.safeParse(params);
    return result.error ? formatZodError(result.error) : "";
  };

  it("accepts natural shots, sends each item in upstream form and fills item defaults", () => {
    const shots = [{ prompt: "a door opens", duration: 4 }, { prompt: "a fox runs in" }];
    const parsed = call({ duration: 9, shots });
    expect(parsed.body.params?.shots).toEqual([
      { prompt: "a door opens", duration: "4" },
      { prompt: "a fox runs in", duration: "5" },
    ]);
    expect(parsed.settings.shots).toEqual([
      { prompt: "a door opens", duration: 4 },
      { prompt: "a fox runs in", duration: 5 },
    ]);
    expect(settingsLine(storyboardModel, parsed.settings, 12)).toBe(
      "acme-story-1 · 9 s · 2 shots · 12 credits",
    );
  });

  it("names the item and field of a bad value, and what it allows", () => {
    const message = messageOf({ shots: [{ prompt: "a" }, { prompt: "b", duration: 20 }] });
    expect(message).toContain(
      "params.shots[1].duration must be an integer from 1 to 15 for acme-story-1",
    );
    expect(messageOf({ shots: [{ prompt: "a", camera: "pan" }] })).toContain(
      "Unknown fields in params.shots[0] for acme-story-1: camera. Allowed: prompt, duration",
    );
    expect(messageOf({ shots: [{ duration: 5 }] })).toContain("params.shots[0].prompt must be");
    expect(messageOf({ shots: [{ prompt: "é".repeat(513) }] })).toContain(
      "a string of at most 512 characters",
    );
    expect(messageOf({ shots: ["a door opens"] })).toContain("params.shots[0] must be an object");
  });

  it("words the list's bounds and item fields, and refuses a list outside them", () => {
    const shots = storyboardModel.params[1] as ParamSpec;
    expect(describeAllowed(shots)).toBe(
      "a list of 1 to 6 items, each {prompt: a string of at most 512 characters; duration: an integer from 1 to 15}",
    );
    const seven = Array.from({ length: 7 }, () => ({ prompt: "p", duration: 1 }));
    for (const bad of [[], seven, "one shot"]) {
      expect(messageOf({ shots: bad })).toContain(`params.shots must be ${describeAllowed(shots)}`);
    }
  });

  it("the cross-field hook refuses shots that do not add up, naming the shot and the sum", () => {
    const shots = [
      { prompt: "a", duration: 3 },
      { prompt: "b", duration: 12 },
    ];
    const refused = () => call({ duration: 10, shots });
    expect(refused).toThrow(ToolInputError);
    expect(refused).toThrow("params.shots[1] (shot 2) lasts 12 s, longer than duration 10 s.");
    expect(refused).toThrow(
      "The shot durations add up to 15 s (shot 1: 3 s, shot 2: 12 s) but duration is 10 s",
    );
    expect(refused).toThrow("nothing was spent");
    expect(call({ duration: 15, shots }).settings.duration).toBe(15);
  });

  it("the hook sees defaults filled in: one shot of the default length fits the default duration", () => {
    expect(ruleProblems(storyboardModel, { duration: 5, shots: [{ duration: 5 }] }, "")).toEqual(
      [],
    );
    expect(call({ shots: [{ prompt: "a" }] }).body.params).toMatchObject({ duration: "5" });
  });
});

describe("list_models, the README and the simulator's /models show the storyboard from its table", () => {
  const shots = storyboardModel.params[1] as ParamSpec;

  it("list_models nests the item fields and states the rules", () => {
    expect(viewSetting(shots)).toMatchObject({
      key: "shots",
      type: "array",
      min_items: 1,
      max_items: 6,
      default: null,
      fields: [
        { key: "prompt", type: "string", required: true, max_length: 512 },
        { key: "duration", type: "integer", default: 5, options: expect.arrayContaining([1, 15]) },
      ],
    });
    const words = settingsInWords(storyboardModel).join("\n");
    expect(words).toContain(`shots: ${describeAllowed(shots)}`);
    expect(words).toContain("rules: The shot durations add up to duration.");
  });

  it("the README rows name each item field, and the rules follow the table", () => {
    const md = renderToolsMarkdown(describeTools(createTools([storyboardModel])), [
      storyboardModel,
    ]);
    expect(md).toContain("| `shots` | array of 1–6 objects |");
    expect(md).toContain("| `shots[].prompt` | string of ≤ 512 characters | yes |");
    expect(md).toContain("| `shots[].duration` | integer 1–15 |  | `5` |");
    expect(md).toContain("- The shot durations add up to duration.");
  });

  it("the simulator's /models entry carries the fields and bounds", () => {
    const entry = apiModel(storyboardModel) as { params: Array<Record<string, unknown>> };
    expect(entry.params[1]).toMatchObject({
      key: "shots",
      type: "list",
      min_items: 1,
      max_items: 6,
      fields: [
        { key: "prompt", type: "text", max_length: 512 },
        { key: "duration", type: "select", default: "5" },
      ],
    });
  });
});

/** A valid value of a list item's field, in upstream form (strings for selects). */
function sampleOf(f: ParamSpec): unknown {
  if (f.type === "select") return f.options[0];
  if (f.type === "number") return f.min;
  return "a shot";
}
