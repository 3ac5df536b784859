/**
 * EvoLink's Kling V3 price list (evolink-api.md §11, from the product page): a per-second
 * base times a multiplier for quality and sound, times the duration. The quote and the
 * simulator both read it from here, so what is quoted is what the simulator charges.
 */

/** Credits per second at 720p without sound. */
export const CREDITS_PER_SECOND = 5.4;

/** The published multipliers; 4k has none (see `FOURK_ESTIMATE`). */
export const MULTIPLIERS: Readonly<Record<string, { off: number; on: number }>> = {
  "720p": { off: 1.0, on: 1.5 },
  "1080p": { off: 1.333, on: 2.0 },
};

/**
 * 4k has no published price. This guess (the simulator's default, §15) is shown as an
 * estimate only: a 4k call needs the person's own ceiling (max_credits) and their yes.
 */
export const FOURK_ESTIMATE = 4.0;

/** Four decimals, as EvoLink's balances are given. */
export const round4 = (n: number) => Math.round(n * 10_000) / 10_000;

export function multiplierOf(quality: string, sound: string, fourK = FOURK_ESTIMATE): number {
  if (quality === "4k") return fourK;
  const m = MULTIPLIERS[quality];
  if (!m) throw new Error(`no EvoLink price for quality ${quality}`);
  return sound === "on" ? m.on : m.off;
}

/** Credits for one call: base × multiplier × seconds, to four decimals. */
export function priceOf(
  quality: string,
  sound: string,
  seconds: number,
  base = CREDITS_PER_SECOND,
  fourK = FOURK_ESTIMATE,
): number {
  return round4(base * multiplierOf(quality, sound, fourK) * seconds);
}
