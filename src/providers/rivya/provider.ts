/**
 * Rivya behind the provider seam: its table prices raised by what it reserved before, its
 * client's calls in the neutral types, and which of its errors prove a create did nothing.
 */
import type { ModelTable } from "../../catalog/types.js";
import type { PriceHistory, Provider, ProviderInfo, ProviderSpec, Quote } from "../types.js";
import { createRivyaClient, type RivyaClient } from "./client.js";
import { RivyaError } from "./errors.js";
import { RIVYA_MODELS } from "./models/index.js";

const UNIT = "Rivya credits";

/**
 * A FIXED model's table price, raised to the highest reservation Rivya made before for the
 * same settings: Rivya does not document how duration or mode change the price, so what it
 * reserved is the better guide.
 */
export function rivyaQuote(
  model: ModelTable,
  _settings: Record<string, unknown>,
  history: PriceHistory = {},
): Quote {
  const stated = model.price.credits;
  const amount = Math.max(stated, history.highestReserved ?? 0);
  const learned =
    amount > stated
      ? ` (Rivya reserved that much before for these settings; the table states ${stated})`
      : "";
  return {
    amount,
    unit: UNIT,
    stated,
    basis: `${model.id} reserves ${amount} credits at submit${learned}; a failed task is refunded.`,
  };
}

/**
 * Errors that prove Rivya created nothing: it answered the request with a refusal (4xx),
 * a rate limit or "disabled" (both mean "not processed"), or the request never left
 * (connection refused, DNS, TLS) — each time on every attempt. Any other 5xx or a reply
 * lost after sending is not proof: the create may have been made, and only a resend under
 * the same Idempotency-Key can tell (Rivya then returns the task it made).
 */
export function rivyaCreatedNothing(err: unknown): boolean {
  if (!(err instanceof RivyaError) || err.earlierAttemptMayHaveActed) return false;
  // Only Rivya's own "switched off" 503 says so; a proxy's bare 503 may follow a forwarded create.
  if (err.kind === "upstream_unavailable") return err.code === "public_api_disabled";
  if (err.kind === "network" || err.kind === "timeout") return err.neverSent;
  return err.kind !== "unexpected";
}

const INFO: ProviderInfo = {
  id: "rivya",
  displayName: "Rivya",
  unit: UNIT,
  models: RIVYA_MODELS,
  // Every create carries an Idempotency-Key: a resend returns the first task.
  idempotentCreate: true,
  quote: rivyaQuote,
};

/**
 * Rivya through a client the caller made (tests pass one pointed at the simulator, and may
 * give it extra model tables).
 */
export function rivyaProvider(
  client: RivyaClient,
  opts: { configured?: boolean; models?: readonly ModelTable[]; baseUrl?: string } = {},
): Provider {
  return {
    ...INFO,
    models: opts.models ?? RIVYA_MODELS,
    configured: opts.configured ?? true,
    // Rivya's own links (files, results; the demo simulator's are plain http) are trusted.
    ...(opts.baseUrl ? { linkOrigins: originOf(opts.baseUrl) } : {}),
    async submit(request, o) {
      const { task, replayed } = await client.createGeneration(request, o);
      return { task, replayed };
    },
    getTask: (taskId, o) => client.getGeneration(taskId, o),
    async upload(input, o) {
      const file = await client.uploadFile(input, o);
      return { ...file, destination: "Rivya Files API (POST /api/v1/files)" };
    },
    balance: (o) => client.getCredits(o),
    createdNothing: rivyaCreatedNothing,
    close: () => client.close(),
  };
}

export const rivya: ProviderSpec = {
  ...INFO,
  env: { apiKey: "RIVYA_API_KEY", baseUrl: "RIVYA_BASE_URL", defaultBaseUrl: "https://rivya.ai" },
  connect: (c) =>
    rivyaProvider(
      createRivyaClient({
        baseUrl: c.baseUrl,
        ...(c.apiKey ? { apiKey: c.apiKey } : {}),
        ...(c.userAgent ? { userAgent: c.userAgent } : {}),
      }),
      { configured: Boolean(c.apiKey), baseUrl: c.baseUrl },
    ),
};

/** A malformed base URL fails the calls (with a clear error), not the start. */
function originOf(url: string): string[] {
  try {
    return [new URL(url).origin];
  } catch {
    return [];
  }
}
