/**
 * Tasks on an injectable clock: a task's state is read from the time since it was created
 * (pending → processing with rising progress → completed | failed), so a test that moves the
 * clock sees the whole lifecycle without waiting. `settleDue` ends due tasks once: refunds a
 * failure and hands the final body to the callback sender.
 */
import { randomBytes } from "node:crypto";
import { Fifo } from "../../../simulator-kit/fifo.js";

export interface SimTask {
  id: string;
  key: string;
  model: string;
  createdMs: number;
  duration: number;
  price: number;
  endsAtMs: number;
  /** `undefined`: completes; otherwise the failure code it ends with. */
  failCode: string | undefined;
  callbackUrl: string | undefined;
  settled: boolean;
}

export interface TaskTiming {
  pendingMs: number;
  processingMs: number;
}

const FAIL_MESSAGES: Record<string, string> = {
  generation_failed_no_content: "The model produced no content (simulated)",
  content_policy_violation: "The prompt was refused by the content policy (simulated)",
  image_processing_error: "The image could not be fetched or read (simulated)",
  invalid_parameters: "The image format is not accepted: use jpg, jpeg or png (simulated)",
};

const ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

/** `task-unified-<created seconds>-<8 [a-z0-9]>`, as every documented example. */
export function taskId(createdSeconds: number): string {
  const suffix = [...randomBytes(8)].map((b) => ALPHABET[b % ALPHABET.length]).join("");
  return `task-unified-${createdSeconds}-${suffix}`;
}

export class SimTasks {
  private readonly byId = new Map<string, SimTask>();
  /** Unsettled tasks in creation order: with one fixed duration they end in that order too. */
  private readonly running = new Fifo<SimTask>();

  constructor(
    private readonly timing: TaskTiming,
    private readonly maxTasks: number,
    private readonly onSettled: (task: SimTask) => void,
  ) {}

  get count(): number {
    return this.byId.size;
  }

  add(t: Omit<SimTask, "id" | "endsAtMs" | "settled">): SimTask {
    const task: SimTask = {
      ...t,
      id: taskId(Math.floor(t.createdMs / 1000)),
      endsAtMs: t.createdMs + this.timing.pendingMs + this.timing.processingMs,
      settled: false,
    };
    this.byId.set(task.id, task);
    this.running.push(task);
    this.evict();
    return task;
  }

  get(id: string): SimTask | undefined {
    return this.byId.get(id);
  }

  all(): SimTask[] {
    return [...this.byId.values()];
  }

  /** Ends every task due by `nowMs`, once; costs nothing while none is due. */
  settleDue(nowMs: number): void {
    for (let t = this.running.peek(); t && t.endsAtMs <= nowMs; t = this.running.peek()) {
      this.running.shift();
      t.settled = true;
      this.onSettled(t);
    }
  }

  /** The §8 task-detail body at `nowMs`; `resultUrl` names the served MP4. */
  detail(task: SimTask, nowMs: number, resultUrl: string): Record<string, unknown> {
    const elapsed = nowMs - task.createdMs;
    const { pendingMs, processingMs } = this.timing;
    const ended = nowMs >= task.endsAtMs;
    const status = ended
      ? task.failCode
        ? "failed"
        : "completed"
      : elapsed < pendingMs
        ? "pending"
        : "processing";
    // Progress rises in steps of 10 while processing.
    const share = processingMs > 0 ? (elapsed - pendingMs) / processingMs : 1;
    const progress =
      status === "completed" ? 100 : status === "processing" ? 10 + Math.floor(share * 8) * 10 : 0;
    return {
      created: Math.floor(task.createdMs / 1000),
      id: task.id,
      model: task.model,
      object: "video.generation.task",
      progress,
      status,
      task_info: {
        can_cancel: !ended,
        estimated_time: Math.ceil((pendingMs + processingMs) / 1000),
        video_duration: task.duration,
      },
      type: "video",
      usage: { billing_rule: "per_second", credits_reserved: task.price, user_group: "default" },
      ...(status === "completed" ? { results: [resultUrl] } : {}),
      ...(status === "failed" && task.failCode
        ? {
            error: {
              code: task.failCode,
              message: FAIL_MESSAGES[task.failCode] ?? task.failCode,
              type: "task_error",
            },
          }
        : {}),
    };
  }

  /** Memory stays bounded: past the cap the oldest settled tasks go (pending ones stay). */
  private evict(): void {
    if (this.byId.size <= this.maxTasks) return;
    for (const [id, task] of this.byId) {
      if (this.byId.size <= this.maxTasks) break;
      if (task.settled) this.byId.delete(id);
    }
  }
}
