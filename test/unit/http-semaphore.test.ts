/** The per-person URL-fetch semaphore: order, hand-over, and a cancelled waiter leaving. */
import { describe, expect, it } from "vitest";
import { Semaphore } from "../../src/transports/semaphore.js";

/** A piece of work that runs until its `finish` is called. */
function held() {
  let finish = () => {};
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  return { work: () => done, finish: () => finish() };
}

describe("Semaphore", () => {
  it("runs at most its slots at once; a finished one hands its slot to the next in line", async () => {
    const slots = new Semaphore(1);
    const order: string[] = [];
    const first = held();
    const a = slots.run(async () => {
      order.push("a");
      await first.work();
    });
    const b = slots.run(async () => {
      order.push("b");
    });
    await Promise.resolve();
    expect(order).toEqual(["a"]);
    first.finish();
    await Promise.all([a, b]);
    expect(order).toEqual(["a", "b"]);
  });

  it("a waiter whose call is cancelled leaves the queue and never runs", async () => {
    const slots = new Semaphore(1);
    const first = held();
    const a = slots.run(first.work);
    const cancel = new AbortController();
    let ran = false;
    const waiting = slots.run(async () => {
      ran = true;
    }, cancel.signal);
    cancel.abort(new Error("cancelled by the client"));
    await expect(waiting).rejects.toThrow("cancelled by the client");
    first.finish();
    await a;
    // The slot is free again: the next call runs at once.
    await slots.run(async () => {});
    expect(ran).toBe(false);
  });
});
