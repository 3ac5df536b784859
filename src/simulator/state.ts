/** Builds the simulator's state from its options, applying the documented defaults. */
import { MODELS } from "../catalog/index.js";
import { Accounts } from "./accounts.js";
import type { SimState } from "./context.js";
import { FileStore } from "./file-store.js";
import { uploadLimits } from "./files.js";
import { IdempotencyStore } from "./idempotency.js";
import { modelList } from "./models.js";
import { TaskStore } from "./tasks.js";
import type { SimulatorOptions } from "./types.js";

export const DEFAULT_RATE_LIMIT = { capacity: 120, refillPerSecond: 20 };

/** `baseUrl` is filled in once the server knows its port; result URLs read it lazily. */
export function createState(opts: SimulatorOptions, failureRandom: () => number): SimState {
  const models = opts.models ?? MODELS;
  const state: SimState = {
    baseUrl: "",
    models,
    modelList: modelList(models),
    uploadLimits: uploadLimits(models),
    accounts: new Accounts({
      startingCredits: opts.startingCredits ?? 1000,
      acceptAnyKey: opts.acceptAnyKey ?? true,
      accounts: opts.accounts ?? {},
      rateLimit: opts.rateLimit === undefined ? DEFAULT_RATE_LIMIT : opts.rateLimit,
    }),
    tasks: new TaskStore({
      queuedMs: opts.queuedMs ?? 2000,
      processingMs: opts.processingMs ?? 4000,
      failureRate: opts.failureRate ?? 0,
      random: failureRandom,
      resultUrl: (id) => `${state.baseUrl}/results/${encodeURIComponent(id)}.mp4`,
    }),
    files: new FileStore(),
    idempotency: new IdempotencyStore(),
  };
  return state;
}
