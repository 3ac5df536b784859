/**
 * Tasks and their clock. Status is a pure function of timestamps, evaluated lazily on
 * every read, and ended tasks are swept on every request, so refunds land even if nobody
 * polls and the simulator needs no timers that could outlive `close()`.
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
  /**
   * Tasks not yet swept, in creation order. Queued and processing durations are fixed per
   * simulator, so this is also end-time order: the sweep stops at the first task still
   * running, costing O(tasks ended since the last sweep) rather than O(open tasks). Entries
   * before `openHead` are swept; the array is compacted once they are the majority.
   */
  private open: TaskRecord[] = [];
  private openHead = 0;
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
    this.open.push(record);
    return structuredClone(task);
  }

  /** The task as its owner sees it now; another account's task does not exist. */
  get(id: string, owner: Account | undefined, now: number): RivyaTask | undefined {
    const record = this.byId.get(id);
    if (!record || (owner && record.owner !== owner)) return undefined;
    this.advance(record, now);
    return structuredClone(record.task);
  }

  /** Every task (of `owner`, when given), each advanced to where its clock says it is. */
  list(owner: Account | undefined, now: number): RivyaTask[] {
    const tasks: RivyaTask[] = [];
    for (const r of this.byId.values()) {
      if (owner && r.owner !== owner) continue;
      this.advance(r, now);
      tasks.push(structuredClone(r.task));
    }
    return tasks;
  }

  /**
   * Finishes every task whose clock has run out, refunding failures. Queued → processing
   * moves are left to the reads (`get`, `list`), which advance each task they return.
   */
  settleDue(now: number): void {
    const open = this.open;
    let head = this.openHead;
    for (let r = open[head]; r !== undefined && r.endsAt <= now; r = open[++head]) {
      this.advance(r, now);
    }
    if (head > 1024 && head * 2 > open.length) {
      this.open = open.slice(head);
      head = 0;
    }
    this.openHead = head;
  }

  private advance(r: TaskRecord, now: number): void {
    const t = r.task;
    // Terminal states never change; a read may have finished a task before the sweep did.
    if (t.status === "succeeded" || t.status === "failed") return;
    if (now >= r.endsAt) {
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
