/**
 * EvoLink behind the provider seam: quotes from its per-second price list, its Kling V3
 * tables, and a create that is sent once and never again. EvoLink has no idempotency key,
 * so a create whose answer was lost stays in doubt (the tools never resend it); reads are
 * retried by the client.
 */
import type { ModelTable } from "../../catalog/types.js";
import { ToolError, ToolInputError } from "../../errors/tool-error.js";
import { createLogger, type Logger } from "../../log.js";
import type {
  Connection,
  PriceHistory,
  Provider,
  ProviderInfo,
  ProviderSpec,
  Quote,
} from "../types.js";
import type { EvolinkClient, EvolinkClientOptions } from "./client.js";
import { EvolinkError } from "./errors.js";
import { EVOLINK_MODELS } from "./models/index.js";
import { FOURK_ESTIMATE, multiplierOf, priceOf } from "./price.js";
import { toCreateBody } from "./request.js";
import { listPrices, toTask } from "./task.js";
import type { EvolinkCredits, EvolinkTask } from "./types.js";

const UNIT = "EvoLink credits";
const LIST =
  "price list: 5.4 credits/s; × 1.5 with sound, × 1.333 at 1080p, × 2.0 at 1080p with sound";

/**
 * Price per second × multiplier × duration, to four decimals; the basis shows the sum. 4k
 * has no published price: its quote is an estimate (raised to the most EvoLink reserved
 * before for the same settings), and such a call needs max_credits and the person's yes.
 */
export function evolinkQuote(
  model: ModelTable,
  settings: Record<string, unknown>,
  history: PriceHistory = {},
): Quote {
  const quality = String(settings.quality ?? "720p");
  const sound = String(settings.sound ?? "off");
  const seconds = Number(settings.duration ?? 5);
  const base = model.price.credits;
  const listed = priceOf(quality, sound, seconds, base);
  const sum = `${base} credits/s × ${multiplierOf(quality, sound)} (${quality}, sound ${sound}) × ${seconds} s = ${listed} ${UNIT}`;
  if (quality !== "4k")
    return {
      amount: listed,
      unit: UNIT,
      stated: listed,
      basis: `${sum} (${LIST}); a failed task is refunded.`,
    };
  const amount = Math.max(listed, history.highestReserved ?? 0);
  const learned = amount > listed ? `; EvoLink reserved ${amount} before for these settings` : "";
  return {
    amount,
    unit: UNIT,
    stated: listed,
    estimate: true,
    basis: `${sum}, an estimate: EvoLink publishes no 4k price (× ${FOURK_ESTIMATE} is a guess${learned}), so the real charge may differ. A 4k call needs max_credits and the person's confirmation; a failed task is refunded.`,
  };
}

/**
 * Proof that nothing was created: a request refused here before sending (a ToolError), or
 * one the client says certainly was not processed (a refusal, or a request that never left).
 */
export function evolinkCreatedNothing(err: unknown): boolean {
  if (err instanceof ToolError) return true;
  return err instanceof EvolinkError && err.createOutcome === "certainly_not";
}

/** EvoLink's ids all start so; any other id cannot be an EvoLink task (its API says 400). */
const TASK_PREFIX = "task-unified-";

/** The key's own allowance when it has one, else the account's. */
function balanceOf(c: EvolinkCredits): number {
  const token = c.token && !c.token.unlimited ? c.token.remainingCredits : undefined;
  const user = c.user?.remainingCredits;
  if (token !== undefined && user !== undefined) return Math.min(token, user);
  const either = token ?? user ?? c.token?.remainingCredits;
  if (either === undefined) throw new Error("EvoLink /v1/credits named no balance");
  return either;
}

const INFO: ProviderInfo = {
  id: "evolink",
  displayName: "EvoLink",
  unit: UNIT,
  models: EVOLINK_MODELS,
  // No idempotency key exists: a resend of a create may charge twice.
  idempotentCreate: false,
  quote: evolinkQuote,
};

export interface EvolinkProviderOptions {
  /** Result-link origins trusted like the API (see Provider.linkOrigins). */
  linkOrigins?: readonly string[];
  configured?: boolean;
  models?: readonly ModelTable[];
  log?: Logger;
}

/** EvoLink through a client the caller made (tests pass one pointed at the simulator). */
export function evolinkProvider(
  client: EvolinkClient | (() => Promise<EvolinkClient>),
  opts: EvolinkProviderOptions = {},
): Provider {
  const models = opts.models ?? EVOLINK_MODELS;
  const log = opts.log ?? createLogger({ level: "warn" });
  let made: Promise<EvolinkClient> | undefined;
  let closed = false;
  const get = () => {
    // A ToolError, so the create counts as never sent (createdNothing), not as in doubt.
    if (closed)
      throw new ToolError(
        "The EvoLink provider is closed; retry shortly.",
        "upstream_unavailable",
        true,
      );
    made ??= typeof client === "function" ? client() : Promise.resolve(client);
    return made;
  };
  /** The quote of each create this provider sent: what its credits are checked against. */
  const quoted = new Map<string, number>();
  const expected = (task: EvolinkTask) => {
    const own = quoted.get(task.id);
    if (own !== undefined) return [own];
    const model = models.find((m) => m.id === task.model);
    const seconds = task.videoDurationSeconds;
    return model && seconds !== undefined ? listPrices(model, seconds) : [];
  };
  return {
    ...INFO,
    models,
    configured: opts.configured ?? true,
    ...(opts.linkOrigins ? { linkOrigins: opts.linkOrigins } : {}),
    async submit(request, o) {
      const model = models.find((m) => m.id === request.model);
      if (!model) throw new ToolInputError(`EvoLink does not serve model ${request.model}.`);
      const body = toCreateBody(request);
      if (o.callbackUrl) body.callback_url = o.callbackUrl;
      const { referenceMediaItems: _, ...settings } = request.params ?? {};
      const quote = evolinkQuote(model, settings).amount;
      // Sent once: the client never resends a create, and neither does anything here.
      const task = await (await get()).createVideo(body, o.signal ? { signal: o.signal } : {});
      quoted.set(task.id, quote);
      return { task: toTask(task, [quote], log), replayed: false };
    },
    async getTask(taskId, o) {
      if (!taskId.startsWith(TASK_PREFIX))
        throw new ToolError(`No task ${taskId}.`, "not_found", false);
      const task = await (await get()).getTask(taskId, o);
      return toTask(task, expected(task), log);
    },
    async upload(input, o) {
      // The tool has checked type, size and pixels against the model's table already.
      const c = await get();
      const { data, path, filename } = input;
      if (!data && !path) throw new Error("upload needs data or a path");
      const file = data
        ? await c.uploadFile(data, filename, {}, o)
        : await c.uploadStream(path as string, { fileName: filename }, o);
      return {
        id: file.fileId,
        url: file.fileUrl,
        kind: input.kind,
        name: file.fileName ?? input.filename,
        mimeType: file.mimeType ?? input.mimeType,
        sizeBytes: file.fileSize ?? sizeOf(data),
        ...(file.expiresAt ? { expiresAt: file.expiresAt } : {}),
        destination: "EvoLink Files API (POST /api/v1/files/upload/stream)",
      };
    },
    async balance(o) {
      return balanceOf(await (await get()).getCredits(o));
    },
    // EvoLink posts the final task body; its id is all that is taken from it (then re-read).
    taskIdFromCallback(body) {
      const id = (body as { id?: unknown } | null | undefined)?.id;
      return typeof id === "string" && id.startsWith(TASK_PREFIX) ? id : undefined;
    },
    createdNothing: evolinkCreatedNothing,
    async close() {
      // Closed by whoever holds it (the server, a person's set): the second close is a no-op.
      const open = made;
      made = undefined;
      closed = true;
      if (open) await (await open).close();
    },
  };
}

function sizeOf(data: Uint8Array | Blob | undefined): number {
  if (data instanceof Blob) return data.size;
  return data?.length ?? 0;
}

/** The client is loaded on first use: a stdio start without EvoLink calls never needs undici. */
function lazyClient(options: EvolinkClientOptions) {
  return async () => (await import("./client.js")).createEvolinkClient(options);
}

export const evolink: ProviderSpec = {
  ...INFO,
  env: {
    apiKey: "EVOLINK_API_KEY",
    baseUrl: "EVOLINK_BASE_URL",
    defaultBaseUrl: "https://api.evolink.ai",
    filesUrl: "EVOLINK_FILES_URL",
  },
  connect: (c: Connection) =>
    evolinkProvider(
      lazyClient({
        apiKey: c.apiKey,
        baseUrl: c.baseUrl,
        ...(c.filesUrl ? { filesUrl: c.filesUrl } : {}),
        ...(c.userAgent ? { userAgent: c.userAgent } : {}),
      }),
      // Its own host's links (the simulator serves results there) are trusted like its API.
      {
        configured: Boolean(c.apiKey),
        linkOrigins: [...new Set([...originOf(c.baseUrl), ...originOf(c.filesUrl)])],
      },
    ),
};

/** A malformed base URL fails the calls (with a clear error), not the start. */
function originOf(url: string | undefined): string[] {
  if (url === undefined) return [];
  try {
    return [new URL(url).origin];
  } catch {
    return [];
  }
}
