import { z } from "zod";
import { withDefaults } from "../catalog/schema.js";
import type { ModelTable } from "../catalog/types.js";
import { settingsInWords, settingViewSchema, viewSetting } from "../catalog/view.js";
import { classifyError as classify } from "../errors/classify.js";
import type { Provider } from "../providers/types.js";
import { strictArgs, unknownModelMessage } from "./arguments.js";
import { defineTool, READS, type ServerDeps } from "./define.js";

const modelView = z.object({
  id: z.string(),
  name: z.string(),
  provider: z.string(),
  /** False when the provider has no API key: the model is listed but cannot be used. */
  configured: z.boolean(),
  category: z.string(),
  inputs: z.array(z.string()),
  base_credits: z.number(),
  billing_type: z.string(),
  price_basis: z.string(),
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

const balanceView = z.object({
  provider: z.string(),
  configured: z.boolean(),
  credits: z.number().optional(),
  unit: z.string(),
  note: z.string().optional(),
});

const outputSchema = z.object({
  models: z.array(modelView),
  /** The first listed provider's balance (kept from when there was one provider). */
  credit_balance: z.number().optional(),
  balance_note: z.string().optional(),
  balances: z.array(balanceView).optional(),
});

type BalanceView = z.infer<typeof balanceView>;

/** The price of a call with the table's defaults, as the model's provider quotes it. */
function defaultQuote(m: ModelTable, deps: ServerDeps) {
  return deps.providers.forModel(m).quote(m, withDefaults(m, {}));
}

function viewModel(m: ModelTable, deps: ServerDeps): z.infer<typeof modelView> {
  const provider = deps.providers.forModel(m);
  const quote = defaultQuote(m, deps);
  return {
    id: m.id,
    name: m.displayName,
    provider: provider.id,
    configured: provider.configured,
    category: m.category,
    inputs: [...m.inputs],
    base_credits: quote.amount,
    billing_type: m.price.billing,
    price_basis: quote.basis,
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
    title: "List video models",
    description:
      "Video models of every provider: credit cost and how it is priced, prompt limit, every setting generate_video's params takes (allowed values, defaults, rules), reference-image rules; balances.",
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
      const providers = [...new Set(models.map((m) => deps.providers.forModel(m)))];
      const balances = await Promise.all(providers.map((p) => balanceOf(p, ctx.signal)));
      const [first] = balances;
      // Each model's settings follow its line: hosts that show only text still get them all.
      const lines = models.flatMap((m) => {
        const p = deps.providers.forModel(m);
        const who = p.configured ? p.displayName : `${p.displayName}, not configured: no API key`;
        const quote = defaultQuote(m, deps);
        return [
          `${m.id} (${m.displayName}, ${who}): ${quote.amount} credits, prompt ≤ ${m.maxPromptLength} chars`,
          `  price: ${quote.basis}`,
          ...settingsInWords(m),
        ];
      });
      const summary = balances.map(balanceLine).join(" ");
      return {
        structured: {
          models: models.map((m) => viewModel(m, deps)),
          ...(first?.credits === undefined ? {} : { credit_balance: first.credits }),
          ...(first?.note ? { balance_note: first.note } : {}),
          balances,
        },
        text: `${lines.join("\n")}\n${summary}`,
      };
    },
  });

/** A provider's balance, or why there is none; never fails the listing. */
async function balanceOf(p: Provider, signal: AbortSignal): Promise<BalanceView> {
  const base = { provider: p.id, configured: p.configured, unit: p.unit };
  if (!p.configured)
    return { ...base, note: `${p.displayName} is not configured (no API key): balance unknown.` };
  try {
    const credits = await p.balance?.({ signal });
    return credits === undefined ? base : { ...base, credits };
  } catch (err) {
    // The catalogue is still useful without a balance (a bad key, or the provider briefly down).
    const note =
      classify(err).category === "auth"
        ? "No valid API key set: balance unknown."
        : "Balance unavailable right now.";
    return { ...base, note };
  }
}

function balanceLine(b: BalanceView): string {
  if (b.credits !== undefined) return `Balance: ${b.credits} credits (${b.unit}).`;
  return b.note ?? "";
}
