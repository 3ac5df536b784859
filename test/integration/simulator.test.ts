/**
 * The simulator's catalogue and validation agree with the model tables: this suite walks
 * every Rivya model and parameter, so a new table is covered without new tests.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ModelTable, ParamSpec } from "../../src/catalog/types.js";
import { RIVYA_MODELS as MODELS } from "../../src/providers/rivya/models/index.js";
import { type Simulator, startSimulator } from "../../src/providers/rivya/simulator/index.js";
import { call, newKey } from "../fixtures/sim-http.js";

let sim: Simulator;
const key = newKey();

beforeAll(async () => {
  sim = await startSimulator({ startingCredits: 1_000_000_000, rateLimit: null, seed: 1 });
});
afterAll(() => sim.close());

const create = (body: unknown, k = key) =>
  call(sim.url, "POST", "/api/v1/generations", { key: k, json: body });
const body = (m: ModelTable, params: Record<string, unknown> = {}) => ({
  model: m.id,
  prompt: "a calm sea",
  params,
});

async function expectRefused(req: unknown, ...fragments: string[]) {
  const res = await create(req);
  expect(res.status).toBe(400);
  expect(res.body.error.code).toBe("validation_failed");
  expect(res.body.error.requestId).toMatch(/^req_\w+$/);
  for (const f of fragments) expect(res.body.error.message).toContain(f);
}

async function expectAccepted(req: unknown) {
  const res = await create(req);
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  expect(res.body.status).toBe("queued");
}

describe("GET /api/v1/models", () => {
  it("lists every table with the documented fields, without a key", async () => {
    const res = await call(sim.url, "GET", "/api/v1/models");
    expect(res.status).toBe(200);
    expect(res.body.object).toBe("list");
    expect(res.body.data.map((m: { id: string }) => m.id)).toEqual(MODELS.map((m) => m.id));
    for (const [i, m] of MODELS.entries()) {
      const entry = res.body.data[i];
      expect(entry).toMatchObject({
        id: m.id,
        display_name: m.displayName,
        category: m.category,
        runtime: "async_task",
        base_credits: m.price.credits,
        billing_type: m.price.billing,
        supported_modes: m.supportedModes,
        max_prompt_length: m.maxPromptLength,
        api_status: "available",
        supported_api_inputs: m.inputs,
        requires_upload_for_modes: m.uploadModes,
        chat_capabilities: null,
        notices: [],
      });
      expect(entry.reference_media).toEqual(
        m.referenceMedia && {
          max_files: m.referenceMedia.maxFiles,
          kinds: m.referenceMedia.kinds.map((k) => ({
            kind: k.kind,
            max_bytes: k.maxBytes,
            mime_types: k.mimeTypes,
          })),
          description: m.referenceMedia.description,
        },
      );
      expect(entry.file_kinds).toEqual(m.referenceMedia?.kinds.map((k) => k.kind) ?? []);
    }
  });

  it("describes each parameter exactly as its table does", async () => {
    const res = await call(sim.url, "GET", "/api/v1/models");
    for (const [i, m] of MODELS.entries()) {
      const expected = m.params.map((p: ParamSpec) => ({
        key: p.key,
        type: p.type,
        required: p.required,
        default: p.default ?? null,
        ...(p.type === "select" ? { options: p.options } : {}),
        ...(p.type === "number" ? { min: p.min, max: p.max } : {}),
        description: p.description,
      }));
      expect(res.body.data[i].params).toEqual(expected);
    }
  });

  it("marks the kling models as partially needing uploads", async () => {
    const res = await call(sim.url, "GET", "/api/v1/models");
    const kling = MODELS.filter((m) => m.id.startsWith("kling-"));
    expect(kling.map((m) => m.id)).toEqual(
      expect.arrayContaining(["kling-3-0", "kling-v2-1-master"]),
    );
    for (const m of kling) {
      const entry = res.body.data.find((d: { id: string }) => d.id === m.id);
      expect(entry, m.id).toMatchObject({
        api_input_status: "partial_requires_files",
        requires_files_api: false,
      });
    }
  });
});

for (const model of MODELS) {
  describe(`POST /api/v1/generations validation walk: ${model.id}`, () => {
    for (const spec of model.params) {
      const field = `params.${spec.key}`;
      if (spec.type === "select") {
        it(`${spec.key}: accepts every option, refuses others`, async () => {
          for (const option of spec.options)
            await expectAccepted(body(model, { [spec.key]: option }));
          const quoted = spec.options.map((o) => `"${o}"`).join(", ");
          await expectRefused(body(model, { [spec.key]: "__nope__" }), field, quoted);
          await expectRefused(body(model, { [spec.key]: null }), field);
          // Options are strings on the wire, even numeric-looking or boolean-looking ones.
          const first = spec.options[0] ?? "";
          const native = first === "true" || first === "false" ? first === "true" : Number(first);
          if (typeof native === "boolean" || !Number.isNaN(native)) {
            await expectRefused(body(model, { [spec.key]: native }), field, "strings");
          }
        });
      } else if (spec.type === "number") {
        it(`${spec.key}: accepts min..max numbers, refuses outside and non-numbers`, async () => {
          for (const v of [spec.min, spec.max, (spec.min + spec.max) / 2]) {
            await expectAccepted(body(model, { [spec.key]: v }));
          }
          const range = `from ${spec.min} to ${spec.max}`;
          await expectRefused(body(model, { [spec.key]: spec.min - 0.01 }), field, range);
          await expectRefused(body(model, { [spec.key]: spec.max + 0.01 }), field, range);
          await expectRefused(body(model, { [spec.key]: String(spec.min) }), field, range);
        });
      } else {
        it(`${spec.key}: accepts a string, refuses other types`, async () => {
          await expectAccepted(body(model, { [spec.key]: "blurry, text overlays" }));
          await expectRefused(body(model, { [spec.key]: 42 }), field, "string");
          await expectRefused(body(model, { [spec.key]: ["x"] }), field, "string");
        });
      }
    }

    it("accepts the defaults of every parameter together", async () => {
      const defaults = Object.fromEntries(
        model.params.filter((p) => p.default !== undefined).map((p) => [p.key, p.default]),
      );
      await expectAccepted(body(model, defaults));
    });

    it("refuses an unknown parameter key, naming the allowed ones", async () => {
      await expectRefused(
        body(model, { not_a_param: "x" }),
        "params.not_a_param",
        ...model.params.map((p) => p.key),
      );
    });

    it("enforces the prompt limit in characters", async () => {
      await expectAccepted({ ...body(model), prompt: "x".repeat(model.maxPromptLength) });
      await expectRefused(
        { ...body(model), prompt: "x".repeat(model.maxPromptLength + 1) },
        "prompt",
        String(model.maxPromptLength),
      );
      await expectRefused({ model: model.id }, "prompt");
      await expectRefused({ ...body(model), prompt: "   " }, "prompt");
    });

    const refs = model.referenceMedia;
    if (refs) {
      it("checks referenceMediaItems count, kind and shape", async () => {
        const rule = refs.kinds[0];
        if (!rule) throw new Error("table without kinds");
        const item = {
          url: "https://cdn.example/ref.png",
          kind: rule.kind,
          mimeType: rule.mimeTypes[0],
        };
        const items = (n: number) => Array.from({ length: n }, () => item);
        await expectAccepted(body(model, { referenceMediaItems: items(refs.maxFiles) }));
        await expectRefused(
          body(model, { referenceMediaItems: items(refs.maxFiles + 1) }),
          "params.referenceMediaItems",
          `at most ${refs.maxFiles}`,
        );
        const otherKind = (["image", "video", "audio"] as const).find(
          (k) => !refs.kinds.some((r) => r.kind === k),
        );
        if (otherKind) {
          await expectRefused(
            body(model, {
              referenceMediaItems: [{ ...item, kind: otherKind, mimeType: undefined }],
            }),
            "params.referenceMediaItems[0].kind",
            `"${rule.kind}"`,
          );
        }
        await expectRefused(
          body(model, { referenceMediaItems: item }),
          "params.referenceMediaItems",
          "array",
        );
        await expectRefused(
          body(model, { referenceMediaItems: ["https://x/y.png"] }),
          "params.referenceMediaItems[0]",
          "url",
        );
        await expectRefused(
          body(model, { referenceMediaItems: [{ kind: rule.kind }] }),
          "params.referenceMediaItems[0]",
          "url",
        );
        await expectRefused(
          body(model, { referenceMediaItems: [{ ...item, mimeType: "application/pdf" }] }),
          "params.referenceMediaItems[0].mimeType",
        );
      });
    }
  });
}

describe("POST /api/v1/generations request shape", () => {
  const model = MODELS[0] as ModelTable;

  it("refuses a top-level files field", async () => {
    await expectRefused(
      { ...body(model), files: ["https://x/y.png"] },
      "files",
      "params.referenceMediaItems",
    );
  });

  it("refuses unknown models, naming the available ones", async () => {
    await expectRefused(
      { model: "no-such-model", prompt: "x" },
      '"no-such-model"',
      ...MODELS.map((m) => m.id),
    );
    await expectRefused({ prompt: "x" }, "model is required");
  });

  it("refuses malformed JSON, non-objects, bad params and unknown top-level fields", async () => {
    await expectRefused("{not json", "JSON");
    await expectRefused([body(model)], "object");
    await expectRefused({ ...body(model), params: ["x"] }, "params must be an object");
    await expectRefused({ ...body(model), client_request_id: 7 }, "client_request_id");
    await expectRefused({ ...body(model), extra: 1 }, "extra", "client_request_id");
  });

  it("creates nothing and charges nothing for refused requests", async () => {
    const k = newKey();
    const before = sim.balance(k);
    const tasksBefore = sim.tasks(k).length;
    const res = await create({ ...body(model), params: { nope: 1 } }, k);
    expect(res.status).toBe(400);
    expect(sim.balance(k)).toBe(before);
    expect(sim.tasks(k).length).toBe(tasksBefore);
  });
});
