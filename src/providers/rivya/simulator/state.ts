/** Builds the simulator's state from its options, applying the documented defaults. */
import { RIVYA_MODELS } from "../models/index.js";
import { rivyaQuote } from "../provider.js";
import { Accounts } from "./accounts.js";
import type { SimState } from "./context.js";
import type { SimDisk, Snapshot } from "./disk.js";
import { uploadLimits } from "./files.js";
import { IdempotencyStore } from "./idempotency.js";
import { modelList } from "./models.js";
import { TaskStore } from "./tasks.js";
import type { SimulatorLimits, SimulatorOptions } from "./types.js";
import { UploadedFiles } from "./uploaded-files.js";

export const DEFAULT_RATE_LIMIT = { capacity: 120, refillPerSecond: 20 };

/** Enough for any test or demo, small enough that a long `simulate` run stays flat. */
export const DEFAULT_LIMITS: SimulatorLimits = {
  accounts: 10_000,
  requestRecords: 10_000,
  idempotencyKeys: 10_000,
  finishedTasks: 10_000,
  files: 1_000,
  // Above the largest single upload the Files API allows (50 MB video).
  fileBytes: 128 * 1024 * 1024,
};

export function limitsOf(opts: SimulatorOptions): SimulatorLimits {
  return { ...DEFAULT_LIMITS, ...opts.limits };
}

/** `baseUrl` is filled in once the server knows its port; URLs are made from it on read. */
export function createState(
  opts: SimulatorOptions,
  failureRandom: () => number,
  disk?: SimDisk,
): SimState {
  const models = opts.models ?? RIVYA_MODELS;
  const limits = limitsOf(opts);
  const state: SimState = {
    baseUrl: "",
    models,
    modelList: modelList(models),
    uploadLimits: uploadLimits(models),
    // Rivya reserves its quote (its table price: FIXED billing, §15) unless a test says otherwise.
    reserveCredits: opts.reserveCredits ?? ((model, params) => rivyaQuote(model, params).amount),
    accounts: new Accounts({
      startingCredits: opts.startingCredits ?? 1000,
      acceptAnyKey: opts.acceptAnyKey ?? true,
      accounts: opts.accounts ?? {},
      rateLimit: opts.rateLimit === undefined ? DEFAULT_RATE_LIMIT : opts.rateLimit,
      maxSeen: limits.accounts,
    }),
    tasks: new TaskStore({
      queuedMs: opts.queuedMs ?? 2000,
      processingMs: opts.processingMs ?? 4000,
      failureRate: opts.failureRate ?? 0,
      random: failureRandom,
      resultUrl: (id) => `${state.baseUrl}/results/${encodeURIComponent(id)}.mp4`,
      maxFinished: limits.finishedTasks,
    }),
    files: new UploadedFiles(limits, () => state.baseUrl, disk),
    idempotency: new IdempotencyStore(limits.idempotencyKeys),
  };
  return state;
}

export function snapshotOf(state: SimState, port: number): Snapshot {
  return {
    version: 1,
    port,
    accounts: state.accounts.save(),
    tasks: state.tasks.save(),
    totals: { ...state.tasks.totals },
    idempotency: state.idempotency.save(),
    files: state.files.save(),
  };
}

/** Accounts first: tasks and files find their owners among them. */
export async function restoreState(state: SimState, saved: Snapshot): Promise<void> {
  state.accounts.load(saved.accounts);
  const ownerOf = (key: string) => state.accounts.find(key);
  state.tasks.load(saved.tasks, saved.totals, ownerOf);
  state.idempotency.load(saved.idempotency, Date.now());
  await state.files.load(saved.files, ownerOf);
}
