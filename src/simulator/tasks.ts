/**
 * Tasks and their clock. Status is a pure function of timestamps, evaluated lazily on
 * every read and swept on every request, so refunds land even if nobody polls and the
 * simulator needs no timers that could outlive `close()`.
 */
import type { ModelTable } from "../catalog/types.js";
import type { RivyaTask } from "../rivya/types.js";
import type { Account } from "./accounts.js";
import { ApiError } from "./http.js";
import { iso, randomId } from "./util.js";

interface TaskRecord {
  task: RivyaTask;
  owner: Account;
  processingAt: number;
  endsAt: number;
  /** Decided at create time so the outcome does not depend on when it is observed. */
  failure: string | null;
}

export interface TaskClock {
  queuedMs: number;
  processingMs: number;
  failureRate: number;
  random: () => number;
  resultUrl: (taskId: string) => string;
}

export class TaskStore {
  private readonly byId = new Map<string, TaskRecord>();
  private readonly open = new Set<TaskRecord>();
  tasksCreated = 0;
  creditsCharged = 0;
  creditsRefunded = 0;

  constructor(private readonly clock: TaskClock) {}

  /** Debits the reservation and queues a task; 402 when the wallet is short. */
  create(owner: Account, model: ModelTable, prompt: string, now: number): RivyaTask {
    const cost = model.baseCredits;
    if (owner.credits < cost) {
      throw new ApiError(
        402,
        "insufficient_credits",
        `${model.id} costs ${cost} credits but the balance is ${owner.credits}; top up and retry`,
      );
    }
    owner.credits -= cost;
    this.creditsCharged += cost;
    this.tasksCreated++;
    const task: RivyaTask = {
      id: randomId("task"),
      status: "queued",
      model: model.id,
      reserved_credits: cost,
      final_credits: 0,
      created_at: iso(now),
      updated_at: iso(now),
      result: null,
      error: null,
    };
    const processingAt = now + this.clock.queuedMs;
    const record = {
      task,
      owner,
      processingAt,
      endsAt: processingAt + this.clock.processingMs,
      failure: this.failureFor(prompt),
    };
    this.byId.set(task.id, record);
    this.open.add(record);
    return structuredClone(task);
  }

  /** The task as its owner sees it now; another account's task does not exist. */
  get(id: string, owner: Account | undefined, now: number): RivyaTask | undefined {
    const record = this.byId.get(id);
    if (!record || (owner && record.owner !== owner)) return undefined;
    this.advance(record, now);
    return structuredClone(record.task);
  }

  list(owner: Account | undefined, now: number): RivyaTask[] {
    this.settleDue(now);
    return [...this.byId.values()]
      .filter((r) => !owner || r.owner === owner)
      .map((r) => structuredClone(r.task));
  }

  /** Moves every unfinished task to where its clock says it is, refunding failures. */
  settleDue(now: number): void {
    for (const record of this.open) this.advance(record, now);
  }

  private advance(r: TaskRecord, now: number): void {
    const t = r.task;
    if (!this.open.has(r)) return;
    if (now >= r.endsAt) {
      this.open.delete(r);
      t.updated_at = iso(r.endsAt);
      if (r.failure === null) {
        const url = this.clock.resultUrl(t.id);
        t.status = "succeeded";
        t.final_credits = t.reserved_credits;
        t.result = { primary_url: url, urls: [url] };
      } else {
        t.status = "failed";
        t.error = { code: "generation_failed", message: r.failure };
        r.owner.credits += t.reserved_credits;
        this.creditsRefunded += t.reserved_credits;
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

  /** Whether the task exists and has a downloadable result. */
  hasResult(id: string, now: number): boolean {
    const record = this.byId.get(id);
    if (record) this.advance(record, now);
    return record?.task.status === "succeeded";
  }
}
