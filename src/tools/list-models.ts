import { z } from "zod";
import { withDefaults } from "../catalog/schema.js";
import type { ModelTable } from "../catalog/types.js";
import { settingsInWords, settingViewSchema, viewSetting } from "../catalog/view.js";
import { classifyError as classify } from "../errors/classify.js";
import { strictArgs, unknownModelMessage } from "./arguments.js";
import { defineTool, READS, type ServerDeps } from "./define.js";

const modelView = z.object({
  id: z.string(),
  name: z.string(),
  category: z.string(),
  inputs: z.array(z.string()),
  base_credits: z.number(),
  billing_type: z.string(),
  max_prompt_length: z.number(),
  params: z.array(settingViewSchema),
  rules: z.array(z.string()).optional(),
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
    params: m.params.map(viewSetting),
    ...(m.rules?.length ? { rules: [...m.rules] } : {}),
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
      "Video models: fixed credit cost, prompt limit, every setting generate_video's params takes (allowed values, defaults, rules), reference-image rules; credit balance.",
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
      // Each model's settings follow its line: hosts that show only text still get them all.
      const lines = models.flatMap((m) => [
        `${m.id} (${m.displayName}): ${defaultQuote(m, deps).amount} credits, prompt ≤ ${m.maxPromptLength} chars`,
        ...settingsInWords(m),
      ]);
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
