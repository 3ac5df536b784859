/**
 * Bounded waiting on a task, polling no faster than Rivya's guidance for its API (first check after
 * 2–3 s, then every 5–10 s) and never after the task is terminal. The bound holds for the
 * whole call: every status read inside the wait has its own deadline, so a slow upstream
 * cannot push the call past the client's timeout; the wait then ends with the task as last
 * seen, and the caller still returns its id. A server that is stopping ends waits early the
 * same way.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { MAX_WAIT_SECONDS } from "../config.js";
import { isTerminalStatus, type Provider, type Task } from "../providers/types.js";
import type { ToolContext } from "./context.js";

/** Below the 60 s most clients wait for a tool call: every answer goes out within this. */
export const ANSWER_WITHIN_MS = 55_000;

export interface WaitOptions {
  waitSeconds: number;
  firstPollDelayMs: number;
  pollIntervalMs: number;
  /** When the task was submitted (first poll counts from here). */
  submittedAt: number;
  /** When the call began: the wait ends waitSeconds after it, whatever came before. */
  callStartedAt?: number | undefined;
  onUpdate?: (task: Task) => Promise<void> | void;
  /** Aborted when the server begins to stop: the wait ends and the call answers. */
  stopping?: AbortSignal | undefined;
}

export const isTerminal = (t: Task) => isTerminalStatus(t.status);

/** A signal for one step of a wait: the caller's cancel, the deadline, or the server stopping. */
function stepSignal(ctx: ToolContext, deadline: number, stopping: AbortSignal | undefined) {
  const signals = [ctx.signal, AbortSignal.timeout(Math.max(1, deadline - Date.now()))];
  if (stopping) signals.push(stopping);
  return AbortSignal.any(signals);
}

export async function waitForTask(
  provider: Provider,
  task: Task,
  ctx: ToolContext,
  opts: WaitOptions,
): Promise<Task> {
  const deadline = (opts.callStartedAt ?? Date.now()) + opts.waitSeconds * 1000;
  let current = task;
  let nextPoll = opts.submittedAt + opts.firstPollDelayMs;
  let polls = 0;
  while (!isTerminal(current)) {
    const delay = Math.max(0, nextPoll - Date.now());
    if (Date.now() + delay > deadline) break;
    try {
      const signal = stepSignal(ctx, deadline, opts.stopping);
      await sleep(delay, undefined, { signal });
      current = await provider.getTask(current.id, { signal });
    } catch (err) {
      // Only the caller's cancel is an error; a deadline or a stopping server ends the wait.
      ctx.signal.throwIfAborted();
      if (opts.stopping?.aborted || Date.now() >= deadline - 5) break;
      throw err;
    }
    polls += 1;
    await opts.onUpdate?.(current);
    const elapsed = Math.round((Date.now() - opts.submittedAt) / 1000);
    await ctx.progress(
      polls,
      undefined,
      `Task ${current.id} ${isTerminal(current) ? "" : "is "}${current.status} after ${elapsed} s`,
    );
    nextPoll = Date.now() + opts.pollIntervalMs;
  }
  return current;
}

/** Seconds until the next check is worth making, for agents that poll themselves. */
export function nextCheckSeconds(task: Task, pollIntervalMs: number): number | null {
  return isTerminal(task) ? null : Math.ceil(pollIntervalMs / 1000);
}

/** The upstream read's own bound when the ledger has a copy to fall back on. */
export const REFRESH_DEADLINE_MS = 15_000;

/**
 * The caller's signal, also aborted after `ms` (with a "TimeoutError"): one read that must not
 * outlast its bound. `done()` lets go of the timer and the listener as soon as the read ends:
 * `AbortSignal.any` + `AbortSignal.timeout` cost ≈ 40 µs a call on Node 20 and leave a timer
 * alive for the whole deadline, thousands of them on a busy HTTP server.
 */
export function withDeadline(
  signal: AbortSignal,
  ms = REFRESH_DEADLINE_MS,
): { signal: AbortSignal; done(): void } {
  const bounded = new AbortController();
  if (signal.aborted) {
    bounded.abort(signal.reason);
    return { signal: bounded.signal, done: () => {} };
  }
  const onAbort = () => bounded.abort(signal.reason);
  const timer = setTimeout(
    () =>
      bounded.abort(new DOMException("The operation was aborted due to timeout", "TimeoutError")),
    ms,
  );
  timer.unref();
  signal.addEventListener("abort", onAbort, { once: true });
  return {
    signal: bounded.signal,
    done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
    },
  };
}

/**
 * A wait above the cap is shortened to it, not refused: the agent still gets its task id
 * (a call must end well before the client's 60 s timeout), and the note says why.
 */
export function capWait(requested: number | undefined): {
  waitSeconds: number;
  waitNote: string | undefined;
} {
  const asked = requested ?? 0;
  if (asked <= MAX_WAIT_SECONDS) return { waitSeconds: asked, waitNote: undefined };
  return {
    waitSeconds: MAX_WAIT_SECONDS,
    waitNote: `wait_seconds ${asked} is above the ${MAX_WAIT_SECONDS} s one call may wait (clients give up at 60 s), so this call waited at most ${MAX_WAIT_SECONDS} s; call get_task with wait_seconds to keep waiting.`,
  };
}
