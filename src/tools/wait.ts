/**
 * Bounded waiting on a task, polling no faster than Rivya's guidance (first check after
 * 2–3 s, then every 5–10 s) and never after the task is terminal. Waits end before the
 * bound rather than overshoot it, so a call never runs into the client's 60 s timeout.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { MAX_WAIT_SECONDS } from "../config.js";
import type { RivyaClient } from "../rivya/client.js";
import { isTerminalStatus, type RivyaTask } from "../rivya/types.js";
import type { ToolContext } from "./types.js";

export interface WaitOptions {
  waitSeconds: number;
  firstPollDelayMs: number;
  pollIntervalMs: number;
  /** When the task was submitted (first poll counts from here). */
  submittedAt: number;
  onUpdate?: (task: RivyaTask) => Promise<void> | void;
}

export const isTerminal = (t: RivyaTask) => isTerminalStatus(t.status);

export async function waitForTask(
  client: RivyaClient,
  task: RivyaTask,
  ctx: ToolContext,
  opts: WaitOptions,
): Promise<RivyaTask> {
  const deadline = Date.now() + opts.waitSeconds * 1000;
  let current = task;
  let nextPoll = opts.submittedAt + opts.firstPollDelayMs;
  let polls = 0;
  while (!isTerminal(current)) {
    const delay = Math.max(0, nextPoll - Date.now());
    if (Date.now() + delay > deadline) break;
    await sleep(delay, undefined, { signal: ctx.signal });
    current = await client.getGeneration(current.id, { signal: ctx.signal });
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
export function nextCheckSeconds(task: RivyaTask, pollIntervalMs: number): number | null {
  return isTerminal(task) ? null : Math.ceil(pollIntervalMs / 1000);
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
