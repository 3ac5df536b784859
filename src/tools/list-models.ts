import { z } from "zod";
import { describeAllowed, naturalDefault, withDefaults } from "../catalog/schema.js";
import type { ModelTable, ParamSpec } from "../catalog/types.js";
import { classifyError as classify } from "../errors/classify.js";
import { strictArgs, unknownModelMessage } from "./arguments.js";
import { defineTool, READS, type ServerDeps } from "./define.js";

const paramView = z.object({
  key: z.string(),
  type: z.enum(["string", "integer", "number", "boolean"]),
  required: z.boolean(),
  default: z.union([z.string(), z.number(), z.boolean()]).nullable(),
  allowed: z.string(),
  options: z.array(z.union([z.string(), z.number(), z.boolean()])).optional(),
  min: z.number().optional(),
  max: z.number().optional(),
  description: z.string(),
});

const modelView = z.object({
  id: z.string(),
  name: z.string(),
  category: z.string(),
  inputs: z.array(z.string()),
  base_credits: z.number(),
  billing_type: z.string(),
  max_prompt_length: z.number(),
  params: z.array(paramView),
  reference_media: z
    .object({
      max_files: z.number(),
      description: z.string(),
      kinds: z.array(
        z.object({ kind: z.string(), mime_types: z.array(z.string()), max_bytes: z.number() }),
      ),
    })
    .nullable(),
});

const outputSchema = z.object({
  models: z.array(modelView),
  credit_balance: z.number().optional(),
  balance_note: z.string().optional(),
});

function viewParam(p: ParamSpec): z.infer<typeof paramView> {
  const natural = naturalDefault(p);
  const base = {
    key: p.key,
    required: p.required,
    default: natural === undefined ? null : (natural as string | number | boolean),
    allowed: describeAllowed(p),
    description: p.description,
  };
  if (p.type === "number") return { ...base, type: "number", min: p.min, max: p.max };
  if (p.type === "text") return { ...base, type: "string" };
  if (typeof natural === "boolean") return { ...base, type: "boolean", options: [false, true] };
  if (typeof natural === "number")
    return { ...base, type: "integer", options: p.options.map(Number) };
  return { ...base, type: "string", options: [...p.options] };
}

/** The price of a call with the table's defaults, as the model's provider quotes it. */
function defaultQuote(m: ModelTable, deps: ServerDeps) {
  return deps.providers.forModel(m).quote(m, withDefaults(m, {}));
}

function viewModel(m: ModelTable, deps: ServerDeps): z.infer<typeof modelView> {
  return {
    id: m.id,
    name: m.displayName,
    category: m.category,
    inputs: [...m.inputs],
    base_credits: defaultQuote(m, deps).amount,
    billing_type: m.price.billing,
    max_prompt_length: m.maxPromptLength,
    params: m.params.map(viewParam),
    reference_media: m.referenceMedia && {
      max_files: m.referenceMedia.maxFiles,
      description: m.referenceMedia.description,
      kinds: m.referenceMedia.kinds.map((k) => ({
        kind: k.kind,
        mime_types: [...k.mimeTypes],
        max_bytes: k.maxBytes,
      })),
    },
  };
}

export const listModelsTool = (all: readonly ModelTable[]) =>
  defineTool({
    name: "list_models",
    title: "List Rivya video models",
    description:
      "Video models: fixed credit cost, prompt limit, settings for params (allowed values, defaults), reference-image rules; credit balance.",
    inputSchema: strictArgs("list_models", {
      model: z.string().optional().describe("Only this model id"),
    }),
    outputSchema,
    annotations: READS,
    async handler(input, ctx, deps) {
      const models = all.filter((m) => !input.model || m.id === input.model);
      if (models.length === 0) {
        return {
          structured: {
            models: [],
            balance_note: `No model '${input.model}'.`,
          },
          text: unknownModelMessage(input.model, all),
        };
      }
      let balance: number | null = null;
      let note: string | undefined;
      try {
        // The balance of the (first) listed model's provider: today every model is Rivya's.
        const provider = deps.providers.forModel(models[0] as ModelTable);
        balance = (await provider.balance?.({ signal: ctx.signal })) ?? null;
      } catch (err) {
        // The catalogue is still useful without a balance (no key yet, or Rivya briefly down).
        note =
          classify(err).category === "auth"
            ? "No valid API key set: balance unknown."
            : "Balance unavailable right now.";
      }
      const lines = models.map(
        (m) =>
          `${m.id} (${m.displayName}): ${defaultQuote(m, deps).amount} credits, prompt ≤ ${m.maxPromptLength} chars`,
      );
      const summary = balance === null ? (note ?? "") : `Balance: ${balance} credits.`;
      return {
        structured: {
          models: models.map((m) => viewModel(m, deps)),
          ...(balance === null ? {} : { credit_balance: balance }),
          ...(note ? { balance_note: note } : {}),
        },
        text: `${lines.join("\n")}\n${summary}`,
      };
    },
  });
