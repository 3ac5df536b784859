/**
 * An EvoLink task in the neutral shape (evolink-api.md §5, §8), and its credits. EvoLink's
 * `usage.credits_reserved` is in a doubtful unit (the docs show 270000 for a 27-credit job;
 * 1 credit = 10,000 sub-units): a value equal to the expected price, or to exactly 10,000
 * times it, is that price; anything else is reported, never silently believed.
 */
import type { ModelTable } from "../../catalog/types.js";
import type { Logger } from "../../log.js";
import type { Task, TaskStatus } from "../types.js";
import { priceOf, round4 } from "./price.js";
import type { EvolinkTask } from "./types.js";

export const SUB_UNITS_PER_CREDIT = 10_000;

const STATUS: Record<string, TaskStatus> = {
  pending: "queued",
  processing: "processing",
  completed: "succeeded",
  failed: "failed",
};

const same = (a: number, b: number) => Math.abs(a - b) < 1e-6;

/** Every price the table allows for a task of this many seconds (4k at its estimate). */
export function listPrices(model: ModelTable, seconds: number): number[] {
  const qualities = model.params.find((p) => p.key === "quality");
  const options = qualities?.type === "select" ? qualities.options : ["720p"];
  return options.flatMap((q) =>
    ["off", "on"].map((s) => priceOf(q, s, seconds, model.price.credits)),
  );
}

export interface CreditsReading {
  credits: number;
  /** Set when the reported figure matched no expected price. */
  mismatch?: string;
}

/**
 * The credits a task reserved, read against what was expected: the quote when this server
 * sent the create, else every price the table allows for the task's duration.
 */
export function readCredits(raw: number | undefined, expected: readonly number[]): CreditsReading {
  if (raw === undefined) return { credits: expected.length === 1 ? (expected[0] ?? 0) : 0 };
  const asSubUnits = round4(raw / SUB_UNITS_PER_CREDIT);
  const match = expected.find((e) => same(e, raw) || same(e, asSubUnits));
  if (match !== undefined) return { credits: match };
  // Of the two readings, the one nearer the expected price (by ratio) is shown.
  const target = expected[0] ?? raw;
  const off = (x: number) => (x > 0 && target > 0 ? Math.max(x / target, target / x) : Infinity);
  const credits = off(asSubUnits) < off(raw) ? asSubUnits : raw;
  return {
    credits,
    mismatch: `EvoLink reported credits_reserved ${raw}, which is neither the expected ${expected.join(" or ")} credits nor ${SUB_UNITS_PER_CREDIT.toLocaleString("en")} times it; shown as ${credits} credits`,
  };
}

export function toTask(
  t: EvolinkTask,
  expected: readonly number[],
  log: Logger,
  nowMs = Date.now(),
): Task {
  const status = STATUS[t.status] ?? unknownStatus(t, log);
  const reading = readCredits(t.creditsReservedRaw, expected);
  if (reading.mismatch)
    log.warn("EvoLink credits differ from the price list", {
      task_id: t.id,
      detail: reading.mismatch,
    });
  const [primary] = t.results;
  return {
    id: t.id,
    status,
    model: t.model,
    reserved_credits: reading.credits,
    // A finished task is billed what it reserved; a failed one is refunded in full (§11).
    final_credits: status === "succeeded" ? reading.credits : 0,
    created_at: new Date(t.createdAtMs ?? nowMs).toISOString(),
    updated_at: new Date(nowMs).toISOString(),
    result:
      status === "succeeded" && primary
        ? { primary_url: primary, urls: t.results, expires_at: linksExpire(t, nowMs) }
        : null,
    error: t.error ? { code: t.error.code, message: t.error.message } : null,
  };
}

/**
 * Result links work for 24 h after the task completes (evolink-api.md). The completion time
 * is not reported, so the creation time stands in: an early estimate, never a late one.
 */
function linksExpire(t: EvolinkTask, nowMs: number): string {
  return new Date((t.createdAtMs ?? nowMs) + 24 * 3_600_000).toISOString();
}

/** A state EvoLink may add later: still running as far as anyone can tell, so keep polling. */
function unknownStatus(t: EvolinkTask, log: Logger): TaskStatus {
  log.warn("EvoLink task in an unknown status; treated as processing", {
    task_id: t.id,
    status: t.status,
  });
  return "processing";
}
