/**
 * Tasks and their clock. Status is a pure function of timestamps, evaluated lazily on
 * every read, and ended tasks are swept on every request, so refunds land even if nobody
 * polls and the simulator needs no timers that could outlive `close()`. Timestamps are
 * wall-clock, so tasks restored after a restart carry on where their clock says.
 */
import type { ModelTable } from "../../../catalog/types.js";
import { Fifo } from "../../../simulator-kit/fifo.js";
import { ApiError } from "../../../simulator-kit/http.js";
import { iso, randomId } from "../../../simulator-kit/util.js";
import { isTerminalStatus, type RivyaTask } from "../types.js";
import type { Account } from "./accounts.js";

/** The task without `result`: its URLs are made on read, from the current base URL. */
type StoredTask = Omit<RivyaTask, "result">;

interface TaskRecord {
  task: StoredTask;
  owner: Account;
  processingAt: number;
  endsAt: number;
  /** Decided at create time so the outcome does not depend on when it is observed. */
  failure: string | null;
}

/** A task as saved to disk: its owner by key. */
export type SavedTask = Omit<TaskRecord, "owner"> & { ownerKey: string };

export interface TaskClock {
  queuedMs: number;
  processingMs: number;
  failureRate: number;
  random: () => number;
  resultUrl: (taskId: string) => string;
  /** Finished tasks kept at most; the earliest finished go first. */
  maxFinished: number;
}

export interface TaskTotals {
  tasksCreated: number;
  creditsCharged: number;
  creditsRefunded: number;
}

export class TaskStore {
  private readonly byId = new Map<string, TaskRecord>();
  /**
   * Tasks not yet swept, in creation order. Queued and processing durations are fixed per
   * simulator, so this is also end-time order: the sweep stops at the first task still
   * running, costing O(tasks ended since the last sweep) rather than O(open tasks).
   */
  private readonly open = new Fifo<TaskRecord>();
  /** Swept tasks in the order they ended; the front is evicted beyond `maxFinished`. */
  private readonly finished = new Fifo<TaskRecord>();
  totals: TaskTotals = { tasksCreated: 0, creditsCharged: 0, creditsRefunded: 0 };

  constructor(private readonly clock: TaskClock) {}

  get count(): number {
    return this.byId.size;
  }

  get finishedCount(): number {
    return this.finished.size;
  }

  /** Debits `cost` and queues a task; 402 when the wallet is short. */
  create(owner: Account, model: ModelTable, cost: number, prompt: string, now: number): RivyaTask {
    if (owner.credits < cost) {
      throw new ApiError(
        402,
        "insufficient_credits",
        `this ${model.id} request costs ${cost} credits but the balance is ${owner.credits}; top up and retry`,
      );
    }
    owner.credits -= cost;
    this.totals.creditsCharged += cost;
    this.totals.tasksCreated++;
    const processingAt = now + this.clock.queuedMs;
    const record: TaskRecord = {
      task: {
        id: randomId("task"),
        status: "queued",
        model: model.id,
        reserved_credits: cost,
        final_credits: 0,
        created_at: iso(now),
        updated_at: iso(now),
        error: null,
      },
      owner,
      processingAt,
      endsAt: processingAt + this.clock.processingMs,
      failure: this.failureFor(prompt),
    };
    this.add(record);
    return this.view(record);
  }

  /** The task as its owner sees it now; another account's task does not exist. */
  get(id: string, owner: Account | undefined, now: number): RivyaTask | undefined {
    const record = this.byId.get(id);
    if (!record || (owner && record.owner !== owner)) return undefined;
    this.advance(record, now);
    return this.view(record);
  }

  /** Every task (of `owner`, when given), each advanced to where its clock says it is. */
  list(owner: Account | undefined, now: number): RivyaTask[] {
    const tasks: RivyaTask[] = [];
    for (const r of this.byId.values()) {
      if (owner && r.owner !== owner) continue;
      this.advance(r, now);
      tasks.push(this.view(r));
    }
    return tasks;
  }

  /**
   * Finishes every task whose clock has run out, refunding failures, and forgets the
   * earliest finished beyond the cap. Queued → processing moves are left to the reads
   * (`get`, `list`), which advance each task they return.
   */
  settleDue(now: number): void {
    for (let r = this.open.peek(); r !== undefined && r.endsAt <= now; r = this.open.peek()) {
      this.open.shift();
      this.advance(r, now);
      this.finished.push(r);
    }
    while (this.finished.size > this.clock.maxFinished) {
      const gone = this.finished.shift();
      if (gone) this.byId.delete(gone.task.id);
    }
  }

  /** Whether the task exists and has a downloadable result. */
  hasResult(id: string, now: number): boolean {
    const record = this.byId.get(id);
    if (record) this.advance(record, now);
    return record?.task.status === "succeeded";
  }

  save(): SavedTask[] {
    return [...this.byId.values()].map(({ owner, ...rest }) => ({ ...rest, ownerKey: owner.key }));
  }

  /** Restores saved tasks in creation order; a task whose owner is unknown is dropped. */
  load(
    saved: readonly SavedTask[],
    totals: TaskTotals,
    ownerOf: (key: string) => Account | undefined,
  ): void {
    this.totals = { ...totals };
    for (const { ownerKey, ...rest } of saved) {
      const owner = ownerOf(ownerKey);
      if (owner) this.add({ ...rest, owner });
    }
  }

  private add(record: TaskRecord): void {
    this.byId.set(record.task.id, record);
    if (isTerminalStatus(record.task.status)) this.finished.push(record);
    else this.open.push(record);
  }

  private view(r: TaskRecord): RivyaTask {
    const url = r.task.status === "succeeded" ? this.clock.resultUrl(r.task.id) : undefined;
    return { ...structuredClone(r.task), result: url ? { primary_url: url, urls: [url] } : null };
  }

  private advance(r: TaskRecord, now: number): void {
    const t = r.task;
    // Terminal states never change; a read may have finished a task before the sweep did.
    if (isTerminalStatus(t.status)) return;
    if (now >= r.endsAt) {
      t.updated_at = iso(r.endsAt);
      if (r.failure === null) {
        t.status = "succeeded";
        t.final_credits = t.reserved_credits;
      } else {
        t.status = "failed";
        t.error = { code: "generation_failed", message: r.failure };
        r.owner.credits += t.reserved_credits;
        this.totals.creditsRefunded += t.reserved_credits;
      }
    } else if (now >= r.processingAt && t.status === "queued") {
      t.status = "processing";
      t.updated_at = iso(r.processingAt);
    }
  }

  private failureFor(prompt: string): string | null {
    if (prompt.includes("[sim:reject]")) {
      return "the prompt was rejected by the content safety policy; change the prompt and try again";
    }
    if (prompt.includes("[sim:fail]")) return "the generation failed (simulated by [sim:fail])";
    if (this.clock.failureRate > 0 && this.clock.random() < this.clock.failureRate) {
      return "the generation provider returned an error (simulated failure)";
    }
    return null;
  }
}
