import { describe, expect, it } from "vitest";
import { withDeadline } from "../../src/generation/wait.js";

describe("withDeadline: one read's deadline", () => {
  it("aborts with a TimeoutError once the deadline passes, as AbortSignal.timeout would", async () => {
    const read = withDeadline(new AbortController().signal, 20);
    await new Promise((r) => setTimeout(r, 60));
    expect(read.signal.aborted).toBe(true);
    expect((read.signal.reason as DOMException).name).toBe("TimeoutError");
  });

  it("aborts with the caller's own reason when the caller cancels", () => {
    const caller = new AbortController();
    const read = withDeadline(caller.signal, 10_000);
    const why = new Error("client went away");
    caller.abort(why);
    expect(read.signal.reason).toBe(why);
    read.done();
  });

  it("an already cancelled caller gives an aborted signal at once", () => {
    const caller = new AbortController();
    caller.abort("gone");
    expect(withDeadline(caller.signal).signal.reason).toBe("gone");
  });

  it("once done, neither the deadline nor the caller aborts it", async () => {
    const caller = new AbortController();
    const read = withDeadline(caller.signal, 20);
    read.done();
    caller.abort();
    await new Promise((r) => setTimeout(r, 60));
    expect(read.signal.aborted).toBe(false);
  });
});
