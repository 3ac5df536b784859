/**
 * The quote: the best known price of a call, which every spend guard uses. It starts from
 * the model table's stated price and is raised to the highest reservation the upstream
 * actually made before for the same model and settings (Rivya does not document how
 * duration or mode change a FIXED model's price, so what it reserved is the better guide).
 */
import { canonicalJson } from "../canonical-json.js";
import type { ModelTable } from "../catalog/types.js";
import type { ServerDeps } from "./context.js";

export interface Quote {
  credits: number;
  /** The table's stated price. */
  stated: number;
  /** True when an earlier reservation raised the quote above the stated price. */
  learned: boolean;
}

/** Same model and settings, same key; the prompt and references do not take part. */
export function priceKey(provider: string, model: ModelTable, settings: object): string {
  return `${provider}:${model.id}:${canonicalJson(settings)}`;
}

export async function quoteFor(
  model: ModelTable,
  settings: object,
  deps: ServerDeps,
): Promise<Quote> {
  const stated = model.baseCredits;
  const seen = await deps.store.learnedPrice(priceKey("rivya", model, settings));
  const credits = Math.max(stated, seen ?? 0);
  return { credits, stated, learned: credits > stated };
}

/** Remembers a reservation above the quote, so the next identical call quotes it. */
export async function learnReservation(
  model: ModelTable,
  settings: object,
  quote: Quote,
  reserved: number,
  deps: ServerDeps,
): Promise<void> {
  if (reserved <= quote.credits) return;
  try {
    await deps.store.learnPrice(priceKey("rivya", model, settings), reserved);
  } catch (err) {
    deps.log.warn("could not record a learned price", { model: model.id, error: String(err) });
  }
}
