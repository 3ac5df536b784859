/**
 * JSON with object keys sorted (by code unit, so the same in every locale) at every depth:
 * two bodies that differ only in key order give the same string. Used for idempotency
 * fingerprints by the ledger and by the simulator.
 */

/** A JSON object: not null, not an array. Also what every tolerant body reader checks first. */
export const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    isPlainObject(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
