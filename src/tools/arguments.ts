/**
 * The argument rules every tool shares: no key is silently dropped, and a model id that is
 * almost right is answered with the id the agent meant.
 */
import * as z from "zod";
import type { ModelTable } from "../catalog/types.js";

/** A tool's root object that refuses unknown keys, naming the arguments it does take. */
export function strictArgs<S extends z.ZodRawShape>(tool: string, shape: S) {
  const allowed = Object.keys(shape).join(", ");
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === "unrecognized_keys"
        ? `${tool} does not take ${issue.keys.join(", ")}. Its arguments are ${allowed}; remove the others`
        : undefined,
  });
}

/** "Kling 3.0", "KLING_3_0" and "kling-3.0" all read as kling-3-0. */
const normalise = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      row.push(Math.min((previous[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, substitution));
    }
    previous = row;
  }
  return previous[b.length] ?? 0;
}

/** The model id closest to what was typed, when it is close enough to be a slip. */
export function closestModel(given: string, models: readonly ModelTable[]): ModelTable | undefined {
  const wanted = normalise(given);
  let best: { model: ModelTable; distance: number } | undefined;
  for (const model of models) {
    const distance = Math.min(
      editDistance(wanted, normalise(model.id)),
      editDistance(wanted, normalise(model.displayName)),
    );
    if (!best || distance < best.distance) best = { model, distance };
  }
  // A third of the id may differ: "kling-3" finds kling-3-0, "sora-9" finds nothing.
  return best && best.distance <= Math.max(1, Math.floor(wanted.length / 3))
    ? best.model
    : undefined;
}

/** The sentence for a missing or unknown model, with the likely id when there is one. */
export function unknownModelMessage(given: unknown, models: readonly ModelTable[]): string {
  const ids = models.map((m) => m.id).join(", ");
  if (typeof given !== "string" || given === "")
    return `model is required: one of ${ids}. Call list_models to see what each costs and takes.`;
  const near = closestModel(given, models);
  const hint = near ? ` Did you mean ${near.id}? Send model: "${near.id}".` : "";
  return `Unknown model '${given}'; model must be one of ${ids}.${hint} Call list_models to see what each costs and takes.`;
}
