/**
 * The simulator's state, built from its options with the §15 defaults: accounts, tasks (whose
 * end refunds a failure and sends the callback), files, the rate limit and failure choices.
 */
import { round4 } from "../price.js";
import type { ModelBuckets as Buckets } from "./accounts.js";
import { ModelBuckets, SimAccounts } from "./accounts.js";
import type { CallbackSender } from "./callbacks.js";
import { SimFiles } from "./files.js";
import { type SimTask, SimTasks } from "./tasks.js";
import type { EvolinkSimulatorLimits, EvolinkSimulatorOptions } from "./types.js";
import type { ValidateOptions } from "./validate.js";

export interface SimContext {
  now: () => number;
  baseUrl: () => string;
  accounts: SimAccounts;
  anyKey: boolean;
  tasks: SimTasks;
  files: SimFiles;
  buckets: Buckets | undefined;
  retryAfter: Record<string, string>;
  validate: ValidateOptions & { strict: boolean };
  multiplier4k: number | undefined;
  /** Decides at create time how a task ends. */
  failCodeFor: (prompt: string) => string | undefined;
}

export const DEFAULT_LIMITS: EvolinkSimulatorLimits = {
  tasks: 10_000,
  accounts: 10_000,
  requestRecords: 10_000,
  callbackRecords: 10_000,
  files: 1_000,
  fileBytes: 128 * 1024 * 1024,
};

/** Prompt markers, as in the Rivya simulator: a test picks how its task ends. */
const MARKERS: [string, string][] = [
  ["[sim:fail]", "generation_failed_no_content"],
  ["[sim:reject]", "content_policy_violation"],
];

export const resultUrl = (ctx: SimContext, task: SimTask) =>
  `${ctx.baseUrl()}/results/${task.id}.mp4`;

export function createContext(
  opts: EvolinkSimulatorOptions,
  limits: EvolinkSimulatorLimits,
  baseUrl: () => string,
  sender: CallbackSender,
  failureRandom: () => number,
): SimContext {
  const now = opts.now ?? Date.now;
  const accounts = new SimAccounts(
    opts.accounts ?? [],
    opts.startingCredits ?? 1000,
    limits.accounts,
  );
  const timing = { pendingMs: opts.pendingMs ?? 2000, processingMs: opts.processingMs ?? 4000 };
  // Callbacks go out after billing is final (§10): the refund comes first.
  const tasks: SimTasks = new SimTasks(timing, limits.tasks, (task) => {
    const owner = accounts.find(task.key);
    if (task.failCode && owner) {
      owner.remaining = round4(owner.remaining + task.price);
      owner.used = round4(owner.used - task.price);
    }
    if (task.callbackUrl) {
      sender.send(task.id, task.callbackUrl, tasks.detail(task, now(), resultUrl(ctx, task)));
    }
  });
  const perMinute = opts.rateLimitPerMinute === undefined ? 50 : opts.rateLimitPerMinute;
  const maxFileBytes = opts.maxFileBytes ?? 10 * 1024 * 1024;
  const maxFiles = Math.min(opts.maxFiles ?? 2000, limits.files);
  const ctx: SimContext = {
    now,
    baseUrl,
    accounts,
    anyKey: opts.acceptAnyKey ?? opts.accounts === undefined,
    tasks,
    files: new SimFiles({ maxFileBytes, maxFiles, maxTotalBytes: limits.fileBytes }, baseUrl),
    buckets: perMinute === null ? undefined : new ModelBuckets(perMinute),
    retryAfter:
      opts.retryAfterSeconds === undefined ? {} : { "retry-after": String(opts.retryAfterSeconds) },
    validate: {
      allowLoopbackCallbacks: opts.allowLoopbackCallbacks === true,
      strict: opts.strict === true,
    },
    multiplier4k: opts.multiplier4k,
    failCodeFor(prompt) {
      const marked = MARKERS.find(([m]) => prompt.includes(m));
      if (marked) return marked[1];
      const rate = opts.failureRate ?? 0;
      if (!(rate > 0 && failureRandom() < rate)) return undefined;
      return opts.failureCode ?? "generation_failed_no_content";
    },
  };
  return ctx;
}
