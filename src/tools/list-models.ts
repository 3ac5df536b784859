import * as z from "zod";
import { effectiveSettings, withDefaults } from "../catalog/schema.js";
import type { ModelTable } from "../catalog/types.js";
import { settingsInWords, settingViewSchema, viewSetting } from "../catalog/view.js";
import { classifyError as classify } from "../errors/classify.js";
import { healthOf } from "../generation/provider-health.js";
import { inLimitUnit } from "../generation/spend-guard.js";
import { settingsOf } from "../generation/submit.js";
import type { Provider } from "../providers/types.js";
import { strictArgs, unknownModelMessage } from "./arguments.js";
import { defineTool, READS, type ServerDeps } from "./define.js";
import { familyUnit, limitsFor } from "./family.js";
import { parseGenerateCall } from "./generate-request.js";

const modelView = z.object({
  id: z.string(),
  name: z.string(),
  provider: z.string(),
  /** False when the provider has no API key: the model is listed but cannot be used. */
  configured: z.boolean(),
  category: z.string(),
  inputs: z.array(z.string()),
  base_credits: z.number(),
  /** Whose credits base_credits counts; for a family, also max_credits and the threshold. */
  unit: z.string(),
  billing_type: z.string(),
  price_basis: z.string(),
  max_prompt_length: z.number(),
  params: z.array(settingViewSchema),
  rules: z.array(z.string()).optional(),
  /** A family's members, each with its quote for the family's default settings. */
  members: z
    .array(
      z.object({
        model: z.string(),
        provider: z.string(),
        configured: z.boolean(),
        credits: z.number().optional(),
        unit: z.string().optional(),
        usd: z.number().optional(),
        /** The credits in the family's unit, when the USD rates convert them. */
        family_credits: z.number().optional(),
        note: z.string().optional(),
      }),
    )
    .optional(),
  reference_media: z
    .object({
      max_files: z.number(),
      description: z.string(),
      kinds: z.array(
        z.object({
          kind: z.string(),
          mime_types: z.array(z.string()),
          max_bytes: z.number(),
          min_side_px: z.number().optional(),
          max_aspect: z.number().optional(),
        }),
      ),
    })
    .nullable(),
});

const balanceView = z.object({
  provider: z.string(),
  configured: z.boolean(),
  credits: z.number().optional(),
  unit: z.string(),
  /** "down" while its circuit breaker is open after repeated failures. */
  health: z.enum(["up", "down", "probing"]),
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

type MemberView = NonNullable<z.infer<typeof modelView>["members"]>[number];

/** Each member of a family with its quote for the family's defaults, or why it has none. */
function memberViews(
  family: ModelTable,
  all: readonly ModelTable[],
  deps: ServerDeps,
): MemberView[] {
  const settings = effectiveSettings(family, withDefaults(family, {}));
  return (family.members ?? []).map((member) => {
    const provider = deps.providers.forModel(member.model);
    const base = { model: member.model, provider: provider.id, configured: provider.configured };
    const t = member.translate({ settings, references: [] });
    if ("refused" in t) return { ...base, note: t.refused };
    let call: ReturnType<typeof parseGenerateCall>;
    try {
      call = parseGenerateCall(all, { model: member.model, prompt: "-", params: t.params });
    } catch (err) {
      // One member out of step with its family is a note here, not a failed listing.
      const why = err instanceof z.ZodError ? z.prettifyError(err) : (err as Error).message;
      return { ...base, note: `no quote for the family's defaults (${why.replace(/\s+/g, " ")})` };
    }
    const quote = provider.quote(call.model, settingsOf(call));
    const rate = deps.config.usdPerCredit?.[provider.id];
    const counted = inLimitUnit(quote.amount, limitsFor(family, provider, deps));
    return {
      ...base,
      credits: quote.amount,
      unit: quote.unit,
      ...(rate === undefined ? {} : { usd: Math.round(quote.amount * rate * 100) / 100 }),
      ...(counted === undefined ? {} : { family_credits: counted }),
    };
  });
}

function memberWords(m: MemberView, unit: string, deps: ServerDeps): string {
  const at = `${m.model} at ${deps.providers.forModel(m.model).displayName}`;
  if (m.credits === undefined) return `${at}: ${m.note}`;
  const usd = m.usd === undefined ? "" : ` ($${m.usd.toFixed(2)})`;
  const counted =
    m.unit === unit || m.family_credits === undefined ? "" : ` = ${m.family_credits} ${unit}`;
  return `${at} ${m.credits} ${m.unit}${usd}${counted}${m.configured ? "" : " (not configured)"}`;
}

/** Who serves a model and at what price: its provider, or for a family every member. */
function offer(m: ModelTable, all: readonly ModelTable[], deps: ServerDeps) {
  if (m.members) {
    const members = memberViews(m, all, deps);
    const unit = familyUnit(m, deps)?.unit ?? "credits";
    // Only prices that can be put in the family's unit: the cheapest of other money is not a number in it.
    const counted = members.flatMap((v) => v.family_credits ?? []);
    return {
      provider: "family",
      configured: members.some((v) => v.configured),
      credits: counted.length ? Math.min(...counted) : 0,
      unit,
      basis: `Priced by the member chosen (default settings): ${members.map((v) => memberWords(v, unit, deps)).join("; ")}. max_credits and the confirmation threshold count ${unit} for this family (its first provider with a key in the preference order); another member's price is converted at the server's USD rates, and without them that member is passed over when max_credits is given and needs the person's yes.`,
      who: "any provider",
      members,
    };
  }
  const provider = deps.providers.forModel(m);
  const quote = defaultQuote(m, deps);
  return {
    provider: provider.id,
    configured: provider.configured,
    credits: quote.amount,
    unit: quote.unit,
    basis: quote.basis,
    who: provider.configured
      ? provider.displayName
      : `${provider.displayName}, not configured: no API key`,
    members: undefined,
  };
}

function viewModel(
  m: ModelTable,
  all: readonly ModelTable[],
  deps: ServerDeps,
): z.infer<typeof modelView> {
  const o = offer(m, all, deps);
  return {
    id: m.id,
    name: m.displayName,
    provider: o.provider,
    configured: o.configured,
    category: m.category,
    inputs: [...m.inputs],
    base_credits: o.credits,
    unit: o.unit,
    billing_type: m.price.billing,
    price_basis: o.basis,
    ...(o.members ? { members: o.members } : {}),
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
        ...(k.minSide === undefined ? {} : { min_side_px: k.minSide }),
        ...(k.maxAspect === undefined ? {} : { max_aspect: k.maxAspect }),
      })),
    },
  };
}

export const listModelsTool = (all: readonly ModelTable[]) =>
  defineTool({
    name: "list_models",
    title: "List video models",
    description:
      "Every provider's video models: price and its basis, prompt limit, each setting of generate_video's params (allowed values, defaults, rules), reference-image rules; balances.",
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
      const served = models.flatMap((m) => m.members?.map((x) => x.model) ?? [m.id]);
      const providers = [...new Set(served.map((id) => deps.providers.forModel(id)))];
      const health = healthOf(deps);
      const balances = await Promise.all(
        providers.map(async (p) => ({
          ...(await balanceOf(p, ctx.signal)),
          health: health.word(p.id),
        })),
      );
      const [first] = balances;
      // Each model's settings follow its line: hosts that show only text still get them all.
      const lines = models.flatMap((m) => {
        const o = offer(m, all, deps);
        const cost = m.members ? "priced by the member chosen" : `${o.credits} ${o.unit}`;
        return [
          `${m.id} (${m.displayName}, ${o.who}): ${cost}, prompt ≤ ${m.maxPromptLength} chars`,
          `  price: ${o.basis}`,
          ...settingsInWords(m),
        ];
      });
      const summary = balances.map(balanceLine).join(" ");
      return {
        structured: {
          models: models.map((m) => viewModel(m, all, deps)),
          ...(first?.credits === undefined ? {} : { credit_balance: first.credits }),
          ...(first?.note ? { balance_note: first.note } : {}),
          balances,
        },
        text: `${lines.join("\n")}\n${summary}`,
      };
    },
  });

/** A provider's balance, or why there is none; never fails the listing. */
async function balanceOf(p: Provider, signal: AbortSignal): Promise<Omit<BalanceView, "health">> {
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
  const down = b.health === "up" ? "" : ` ${b.provider} is ${b.health} after repeated failures.`;
  if (b.credits !== undefined) return `Balance: ${b.credits} ${b.unit}.${down}`;
  return `${b.note ?? ""}${down}`;
}
