import type { ModelTable } from "./types.js";

export function findModel(id: string, models: readonly ModelTable[]): ModelTable | undefined {
  return models.find((m) => m.id === id);
}

export type { MediaKind, ModelTable, ParamSpec, ReferenceMediaRules } from "./types.js";
