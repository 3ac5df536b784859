/** The providers this server ships, and with them every model the tools offer. */
import type { ModelTable } from "../catalog/types.js";
import { envValue } from "../config.js";
import { evolink } from "./evolink/provider.js";
import { FAMILIES } from "./families.js";
import { checkUniqueModels, Providers } from "./registry.js";
import { rivya } from "./rivya/provider.js";
import type { Connection, ProviderSpec } from "./types.js";

export const PROVIDERS: readonly ProviderSpec[] = [rivya, evolink];
checkUniqueModels(PROVIDERS);

/** Every model id the tools accept: each provider's models, then the families across them. */
export const MODELS: readonly ModelTable[] = [...PROVIDERS.flatMap((p) => p.models), ...FAMILIES];

/** Each provider's key and base URL (and files host, if it has one) from its environment. */
export function connectionsFromEnv(
  env: NodeJS.ProcessEnv,
  userAgent: string,
): Map<string, Connection> {
  return new Map(
    PROVIDERS.map((spec) => [
      spec.id,
      {
        baseUrl: envValue(env, spec.env.baseUrl) ?? spec.env.defaultBaseUrl,
        apiKey: envValue(env, spec.env.apiKey),
        ...(spec.env.filesUrl ? { filesUrl: envValue(env, spec.env.filesUrl) } : {}),
        userAgent,
      },
    ]),
  );
}

/** Every shipped provider, connected with the server's own keys. */
export function connectProviders(connections: ReadonlyMap<string, Connection>): Providers {
  return new Providers(
    PROVIDERS.map((spec) => spec.connect(connections.get(spec.id) ?? missing(spec.id))),
  );
}

function missing(id: string): never {
  throw new Error(`no connection settings for provider ${id}`);
}

export function providerSpec(id: string): ProviderSpec | undefined {
  return PROVIDERS.find((p) => p.id === id);
}
