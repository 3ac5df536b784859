/**
 * Work that shutdown must let finish: every upstream call and every store call a tool
 * starts. Counting HTTP responses is not enough: a client (or a proxy) that hangs up leaves
 * its tool call running, and a create on its way back from Rivya has already been paid for.
 */
import { setTimeout as sleep } from "node:timers/promises";

export class InFlight {
  private running = 0;

  get size(): number {
    return this.running;
  }

  track<T>(work: Promise<T>): Promise<T> {
    this.running += 1;
    // Counted done one turn later, so the caller's own continuation (the ledger write that
    // follows a create) has started, and is counted, before this one stops counting.
    const done = () => void setImmediate(() => (this.running -= 1));
    work.then(done, done);
    return work;
  }

  /**
   * The same object, with every promise its methods return tracked. A Proxy rather than a
   * list of methods, so a method added to the store or the client later is covered too.
   */
  wrap<T extends object>(target: T, untracked: readonly string[] = ["close"]): T {
    return new Proxy(target, {
      get: (obj, prop, receiver) => {
        const value: unknown = Reflect.get(obj, prop, receiver);
        if (typeof value !== "function" || untracked.includes(String(prop))) return value;
        return (...args: unknown[]) => {
          const result: unknown = value.apply(obj, args);
          return result instanceof Promise ? this.track(result) : result;
        };
      },
    });
  }

  /** Waits until nothing runs and `alsoIdle` holds, or the deadline passes; true when idle. */
  async settle(deadline: number, alsoIdle: () => boolean = () => true): Promise<boolean> {
    while ((this.running > 0 || !alsoIdle()) && Date.now() < deadline) await sleep(50);
    return this.running === 0 && alsoIdle();
  }
}
