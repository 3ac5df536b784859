/** The simulator charges the price list the provider quotes from (../price.ts). */
import { CREDITS_PER_SECOND, FOURK_ESTIMATE, priceOf as listPrice } from "../price.js";

export const BASE_CREDITS_PER_SECOND = CREDITS_PER_SECOND;
export const DEFAULT_4K_MULTIPLIER = FOURK_ESTIMATE;

export function priceOf(
  quality: string,
  sound: "on" | "off",
  duration: number,
  multiplier4k = DEFAULT_4K_MULTIPLIER,
): number {
  const known = quality === "4k" || quality === "720p" || quality === "1080p";
  return known ? listPrice(quality, sound, duration, CREDITS_PER_SECOND, multiplier4k) : Number.NaN;
}
