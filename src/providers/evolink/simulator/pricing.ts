/** The simulator's price list (evolink-api.md §11 and §15): credits per second × duration. */

export const BASE_CREDITS_PER_SECOND = 5.4;

/** Multipliers of the product page; 4k has no published price (§15: our guess, configurable). */
const MULTIPLIER: Record<string, { off: number; on: number }> = {
  "720p": { off: 1.0, on: 1.5 },
  "1080p": { off: 1.333, on: 2.0 },
};

export const DEFAULT_4K_MULTIPLIER = 4.0;

export function priceOf(
  quality: string,
  sound: "on" | "off",
  duration: number,
  multiplier4k = DEFAULT_4K_MULTIPLIER,
): number {
  const m = quality === "4k" ? multiplier4k : (MULTIPLIER[quality]?.[sound] ?? Number.NaN);
  return Math.round(BASE_CREDITS_PER_SECOND * m * duration * 10_000) / 10_000;
}
