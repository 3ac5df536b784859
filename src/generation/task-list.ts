/**
 * get_task without a task_id: the person's recent requests, newest first, with their
 * current status. Unfinished tasks are refreshed from Rivya, but only a few, a few at a
 * time and within a short deadline, so a long list never turns into a slow call; a task
 * that could not be refreshed says when it was last seen in that state. A refreshed task
 * found finished with links that expire is saved (see keep-video.ts).
 */
import * as z from "zod";
import { isTerminalStatus, type Task } from "../providers/types.js";
import { type LedgerEntry, netCost } from "../store/types.js";
import type { ServerDeps, ToolContext } from "./context.js";
import { autoSave, wantsAutoSave } from "./keep-video.js";
import { recordTaskState } from "./ledger.js";
import { withDeadline } from "./wait.js";

const RECENT = 20;
/** Unfinished tasks refreshed per call, reads at once, and the time all of them may take. */
const REFRESH = { max: 8, concurrency: 4, deadlineMs: 5000 };

export const recentSchema = z.object({
  task_id: z.string().nullable(),
  client_request_id: z.string(),
  model: z.string(),
  status: z.string().describe("queued, processing, succeeded, failed, or submitting"),
  prompt: z.string(),
  cost_credits: z.number(),
  /** When the status shown was read from Rivya (or written, for a submitting request). */
  status_as_of: z.string(),
  /** False when the status could not be refreshed in this call. */
  current: z.boolean(),
  saved_path: z.string().optional(),
  /** Why an automatic save failed. */
  note: z.string().optional(),
  created_at: z.string(),
});
type Recent = z.infer<typeof recentSchema>;

const isOpen = (e: LedgerEntry) =>
  e.state === "created" && e.status !== null && !isTerminalStatus(e.status);

function view(e: LedgerEntry, current: boolean, note?: string): Recent {
  return {
    task_id: e.task_id,
    client_request_id: e.client_request_id,
    model: e.model,
    status: e.state === "submitting" ? "submitting" : (e.status ?? "queued"),
    prompt: e.prompt_snippet,
    // What it costs as far as the server knows: a refunded failure counts 0.
    cost_credits: netCost(e),
    status_as_of: e.updated_at,
    current,
    ...(e.saved_path ? { saved_path: e.saved_path } : {}),
    ...(note ? { note } : {}),
    created_at: e.created_at,
  };
}

function line(r: Recent): string {
  const id = r.task_id ?? "(no task id yet)";
  let status = r.status;
  if (r.status === "submitting")
    status = `submitting — outcome unknown; retry generate_video with client_request_id "${r.client_request_id}" and the same arguments to settle it (never charged twice)`;
  else if (!r.current) status = `last seen ${r.status} at ${r.status_as_of}`;
  const saved = r.saved_path ? `, saved to ${r.saved_path}` : "";
  const note = r.note ? ` ${r.note}` : "";
  return `${id} ${r.model} ${status} (${r.cost_credits} credits${saved}) "${r.prompt}" [client_request_id ${r.client_request_id}; ${r.created_at}]${note}`;
}

interface Fresh {
  entry: LedgerEntry;
  task: Task;
  note?: string | undefined;
}

/** Refreshes up to REFRESH.max open entries, REFRESH.concurrency at a time, within the deadline. */
async function refresh(
  entries: LedgerEntry[],
  ctx: ToolContext,
  deps: ServerDeps,
): Promise<Map<string, Fresh>> {
  const fresh = new Map<string, Fresh>();
  const queue = entries.filter(isOpen).slice(0, REFRESH.max);
  const deadline = withDeadline(ctx.signal, REFRESH.deadlineMs);
  const { signal } = deadline;
  const worker = async () => {
    for (let e = queue.shift(); e && !signal.aborted; e = queue.shift()) {
      try {
        const provider = deps.providers.forRecord(e);
        const task: Task = await provider.getTask(e.task_id as string, { signal });
        fresh.set(e.id, { entry: await recordTaskState(deps, e, task), task });
      } catch {
        // Shown as last seen; the next call tries again.
      }
    }
  };
  await Promise.all(Array.from({ length: REFRESH.concurrency }, worker)).finally(deadline.done);
  ctx.signal.throwIfAborted();
  // Outside the refresh deadline: a download may take longer than a status read.
  const saving = [...fresh.values()].filter((f) => wantsAutoSave(f.task, f.entry, deps));
  await Promise.all(
    saving.map(async (f) => {
      const kept = await autoSave(f.task, f.entry, ctx.signal, deps);
      f.entry = kept.entry ?? f.entry;
      f.note = kept.note;
    }),
  );
  return fresh;
}

export async function listRecent(ctx: ToolContext, deps: ServerDeps) {
  const entries = await deps.store.list(deps.owner, RECENT);
  const fresh = await refresh(entries, ctx, deps);
  const recent = entries.map((e) => {
    const latest = fresh.get(e.id);
    return latest ? view(latest.entry, true, latest.note) : view(e, !isOpen(e));
  });
  return {
    structured: { recent_tasks: recent },
    text: recent.length
      ? `Recent tasks, newest first:\n${recent.map(line).join("\n")}`
      : "No tasks recorded yet.",
  };
}
