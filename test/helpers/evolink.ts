import type { Logger } from "../../src/log.js";
import { createEvolinkClient } from "../../src/providers/evolink/client.js";
import { evolinkProvider } from "../../src/providers/evolink/provider.js";
import type { EvolinkSimulator } from "../../src/providers/evolink/simulator/index.js";
import type { Provider } from "../../src/providers/types.js";

/**
 * EvoLink as the harnesses serve it: on its simulator with this key, or, without a
 * simulator, unconfigured (no key) as a server without EVOLINK_API_KEY serves it.
 */
export function evolinkOn(
  evo: EvolinkSimulator | undefined,
  key: string | undefined,
  log: Logger,
): Provider {
  const url = evo?.url ?? "http://127.0.0.1:9";
  const client = createEvolinkClient({
    apiKey: evo ? key : undefined,
    baseUrl: url,
    filesUrl: url,
    retry: { baseDelayMs: 5, maxDelayMs: 50 },
  });
  return evolinkProvider(client, {
    configured: evo !== undefined,
    log,
    // As connect() does: the simulator's own links (results, uploads) are trusted.
    ...(evo ? { linkOrigins: [new URL(evo.url).origin] } : {}),
  });
}
