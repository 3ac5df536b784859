/**
 * Callback delivery (evolink-api.md §10, §15): POST the final task body as JSON, each attempt
 * bounded by a timeout; any 2xx ends it, anything else is retried after 1, 2 and 4 s (the
 * schedule and timeout are options so tests can shorten them). Every attempt is recorded.
 */
import { request } from "undici";

export interface CallbackAttempt {
  taskId: string;
  url: string;
  attempt: number;
  /** HTTP status, or 0 when the attempt failed without one (refused, timed out). */
  status: number;
  /** The wait scheduled before this attempt: 0 for the first, then the retry schedule. */
  delayBeforeMs: number;
}

export interface CallbackOptions {
  retryDelaysMs: readonly number[];
  timeoutMs: number;
  maxRecords: number;
}

export class CallbackSender {
  readonly attempts: CallbackAttempt[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;

  constructor(private readonly opts: CallbackOptions) {}

  send(taskId: string, url: string, body: unknown): void {
    const json = JSON.stringify(body);
    const attempt = async (n: number, delayBeforeMs: number): Promise<void> => {
      const status = await this.post(url, json);
      this.record({ taskId, url, attempt: n, status, delayBeforeMs });
      const delay = this.opts.retryDelaysMs[n - 1];
      if ((status >= 200 && status < 300) || delay === undefined || this.closed) return;
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        void attempt(n + 1, delay);
      }, delay);
      this.timers.add(timer);
    };
    void attempt(1, 0);
  }

  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private async post(url: string, json: string): Promise<number> {
    try {
      const res = await request(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: json,
        signal: AbortSignal.timeout(this.opts.timeoutMs),
      });
      await res.body.dump();
      return res.statusCode;
    } catch {
      return 0;
    }
  }

  private record(a: CallbackAttempt): void {
    this.attempts.push(a);
    if (this.attempts.length > this.opts.maxRecords) this.attempts.shift();
  }
}
