/** Small helpers shared by the simulator modules. */
import { randomBytes } from "node:crypto";

/**
 * mulberry32: a tiny seedable PRNG. Faults and random task failures draw from it
 * so a test that sets `seed` sees the same sequence on every run.
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Opaque ids (`task_…`, `file_…`, `req_…`). Not seeded: ids need to be unique, not repeatable. */
export function randomId(prefix: string): string {
  return `${prefix}_${randomBytes(10).toString("hex")}`;
}

/** The API's timestamp format: ISO-8601 UTC with milliseconds and `Z`. */
export function iso(ms: number): string {
  return new Date(ms).toISOString();
}
