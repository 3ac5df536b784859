/**
 * The quote every spend guard uses: the provider's price for the model and settings, given
 * what the store remembers of earlier reservations for the same ones (a provider whose
 * table is only a floor, like Rivya's, quotes the highest it reserved before).
 */
import { canonicalJson } from "../canonical-json.js";
import type { ModelTable } from "../catalog/types.js";
import type { Quote } from "../providers/types.js";
import type { ServerDeps } from "./context.js";

export type { Quote } from "../providers/types.js";

/** Same provider, model and settings, same key; the prompt and references do not take part. */
export function priceKey(provider: string, model: ModelTable, settings: object): string {
  return `${provider}:${model.id}:${canonicalJson(settings)}`;
}

export async function quoteFor(
  model: ModelTable,
  settings: Record<string, unknown>,
  deps: ServerDeps,
): Promise<Quote> {
  const provider = deps.providers.forModel(model);
  const highestReserved = await deps.store.learnedPrice(priceKey(provider.id, model, settings));
  return provider.quote(model, settings, { highestReserved });
}

/** Remembers a reservation above the quote, so the next identical call quotes it. */
export async function learnReservation(
  model: ModelTable,
  settings: Record<string, unknown>,
  quote: Quote,
  reserved: number,
  deps: ServerDeps,
): Promise<void> {
  if (reserved <= quote.amount) return;
  const provider = deps.providers.forModel(model);
  try {
    await deps.store.learnPrice(priceKey(provider.id, model, settings), reserved);
  } catch (err) {
    deps.log.warn("could not record a learned price", { model: model.id, error: String(err) });
  }
}
