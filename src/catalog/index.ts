import { kling30 } from "../providers/rivya/models/kling-3-0.js";
import { klingV21Master } from "../providers/rivya/models/kling-v2-1-master.js";
import type { ModelTable } from "./types.js";

/** Every model this server offers. Adding a model = adding its table file and listing it here. */
export const MODELS: readonly ModelTable[] = [kling30, klingV21Master];

export function findModel(
  id: string,
  models: readonly ModelTable[] = MODELS,
): ModelTable | undefined {
  return models.find((m) => m.id === id);
}

export type { MediaKind, ModelTable, ParamSpec, ReferenceMediaRules } from "./types.js";
