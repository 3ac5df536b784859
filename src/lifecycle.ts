/**
 * A process's way of stopping without losing a paid task: once it begins to stop, waits end
 * early (their calls answer with the task id), while calls already running — a create above
 * all — get a bounded time to finish and be recorded before the store is flushed.
 */
export class Lifecycle {
  private readonly controller = new AbortController();
  private readonly running = new Set<Promise<unknown>>();

  /** Aborted when stopping begins. */
  get stopping(): AbortSignal {
    return this.controller.signal;
  }

  /** Counts `work` as running until it settles. */
  track<T>(work: Promise<T>): Promise<T> {
    this.running.add(work);
    const done = () => this.running.delete(work);
    work.then(done, done);
    return work;
  }

  get runningCount(): number {
    return this.running.size;
  }

  /** Begins stopping and waits up to `graceMs` for running calls; returns how many remain. */
  async stop(graceMs: number): Promise<number> {
    this.controller.abort();
    const settled = Promise.allSettled([...this.running]);
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, graceMs);
    });
    await Promise.race([settled, grace]);
    clearTimeout(timer);
    return this.running.size;
  }
}
