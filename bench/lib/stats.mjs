/** Small statistics helpers: every figure in BENCHMARKS.md goes through these. */

/** The q-quantile (0..1) by linear interpolation between closest ranks. */
export function quantile(values, q) {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export const median = (values) => quantile(values, 0.5);

/** A thousands-separated number with `d` decimals, or "n/a". */
export const num = (v, d = 0) =>
  Number.isFinite(v)
    ? v.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d })
    : "n/a";

/**
 * A threshold, written once where it is measured: the target as the report shows it
 * (`show` formats the limit) and whether `value` meets it.
 */
export const atMost = (value, limit, show = String) => ({
  target: `≤ ${show(limit)}`,
  pass: value <= limit,
});
export const atLeast = (value, limit, show = String) => ({
  target: `≥ ${show(limit)}`,
  pass: value >= limit,
});
/** True when every threshold of a measurement is met. */
export const allPass = (thresholds) => Object.values(thresholds).every((t) => t.pass);

/** Formats a ratio as "0.73×". */
export const ratio = (r) => (Number.isFinite(r) ? `${r.toFixed(2)}×` : "n/a");

export function ms(v) {
  if (!Number.isFinite(v)) return "n/a";
  return v >= 100 ? `${v.toFixed(0)} ms` : v >= 10 ? `${v.toFixed(1)} ms` : `${v.toFixed(2)} ms`;
}

export function bytes(v) {
  if (!Number.isFinite(v)) return "n/a";
  const abs = Math.abs(v);
  if (abs >= 1024 * 1024) return `${(v / 1024 / 1024).toFixed(1)} MiB`;
  if (abs >= 1024) return `${(v / 1024).toFixed(1)} KiB`;
  return `${Math.round(v)} B`;
}

/**
 * Runs `a` and `b` alternately (A B A B …) after `warmup` untimed pairs, so drift in the
 * machine's state (caches, frequency, other load) hits both sides alike. Each side returns
 * a sample (a number or an object); the two arrays of samples are returned.
 */
export async function interleave(rounds, warmup, a, b) {
  const as = [];
  const bs = [];
  for (let i = 0; i < warmup + rounds; i++) {
    const ra = await a(i);
    const rb = await b(i);
    if (i >= warmup) {
      as.push(ra);
      bs.push(rb);
    }
  }
  return { a: as, b: bs };
}
