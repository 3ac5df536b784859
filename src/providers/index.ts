/** The providers this server ships, and with them every model the tools offer. */
import type { ModelTable } from "../catalog/types.js";
import { checkUniqueModels, Providers } from "./registry.js";
import { rivya } from "./rivya/provider.js";
import type { Connection, ProviderSpec } from "./types.js";

export const PROVIDERS: readonly ProviderSpec[] = [rivya];
checkUniqueModels(PROVIDERS);

export const MODELS: readonly ModelTable[] = PROVIDERS.flatMap((p) => p.models);

/** Every shipped provider, connected as `connectionFor` says (keys, base URLs). */
export function connectProviders(connectionFor: (spec: ProviderSpec) => Connection): Providers {
  return new Providers(PROVIDERS.map((spec) => spec.connect(connectionFor(spec))));
}

export function providerSpec(id: string): ProviderSpec | undefined {
  return PROVIDERS.find((p) => p.id === id);
}
