/**
 * Long generations as MCP tasks (the `io.modelcontextprotocol/tasks` extension of
 * 2026-07-28). A client that declares the extension gets generate_video's answer as a task
 * once the request is in the ledger (the intent is written before the paid create, the
 * task id after it), and follows it with tasks/get. Every answer is read from the store and
 * the provider, never from this process's memory: tasks/get works after a restart and on
 * any replica. A task is the caller's own: its id is their client_request_id, looked up
 * under their name only, so another person's tasks/get finds nothing.
 *
 * The SDK has no server side for the extension (2.4); the handlers are here, typed by the
 * extension's published wire types.
 */
import type { CreateTaskResultV2, DetailedTaskV2 } from "@modelcontextprotocol/ext-tasks/core/v2";
import {
  MissingRequiredClientCapabilityError,
  ProtocolError,
  ProtocolErrorCode,
  type Server,
  type ServerContext,
} from "@modelcontextprotocol/server";
import * as z from "zod";
import type { ServerDeps } from "../generation/context.js";
import { isTerminalStatus } from "../providers/types.js";
import type { LedgerEntry } from "../store/types.js";
import { declaredCapabilities } from "./envelope.js";
import { TASKS_EXTENSION } from "./identity.js";
import type { ToolOutcome } from "./run-tool.js";

/** Tools whose calls become tasks for a client that asks for them: the ones that take minutes. */
const TASK_TOOLS = new Set(["generate_video"]);
/** A video takes minutes; a poll every few seconds tells the person soon enough. */
const POLL_INTERVAL_MS = 5_000;

/** True when the request's client capabilities declare the tasks extension. */
function declaresTasks(ctx: ServerContext): boolean {
  return declaredCapabilities(ctx)?.extensions?.[TASKS_EXTENSION] !== undefined;
}

/** True when this call should answer with a task: a task tool, and a client that declared the extension. */
export function runsAsTask(tool: string, ctx: ServerContext): boolean {
  return TASK_TOOLS.has(tool) && declaresTasks(ctx);
}

/**
 * The extension's own methods answer only a client that declared it: anyone else is told
 * which capability is missing (-32021), not that the task is unknown, so a client that
 * forgot the declaration learns what to fix.
 */
function requireTasksDeclared(ctx: ServerContext): void {
  if (declaresTasks(ctx)) return;
  throw new MissingRequiredClientCapabilityError(
    { requiredCapabilities: { extensions: { [TASKS_EXTENSION]: {} } } },
    `${TASKS_EXTENSION} is not declared in this request's client capabilities`,
  );
}

/** The call's arguments as a task runs it: it returns once submitted; the client polls. */
export const asTaskArgs = (args: Record<string, unknown>) => ({ ...args, wait_seconds: 0 });

/**
 * The task for a submitted call, or undefined when the call submitted nothing (a dry run,
 * a refusal): then the tool's own result answers, as for any client.
 */
export function createdTask(outcome: ToolOutcome): CreateTaskResultV2 | undefined {
  const s = outcome.structured;
  if (s?.submitted !== true || typeof s.client_request_id !== "string") return undefined;
  const task = s.task as { created_at?: string; updated_at?: string } | undefined;
  const now = new Date().toISOString();
  return {
    resultType: "task",
    taskId: s.client_request_id,
    status: "working",
    statusMessage: progressOf(outcome),
    createdAt: task?.created_at ?? now,
    lastUpdatedAt: task?.updated_at ?? now,
    // The ledger keeps every task; the person's own retention rules apply, not ours.
    ttlMs: null,
    pollIntervalMs: POLL_INTERVAL_MS,
  };
}

/**
 * Reads a task as get_task would (the ledger, then the provider), by its ledger id: the
 * entry is already found, so get_task finds it again by key rather than by a search.
 */
export type ReadTask = (ledgerId: string, ctx: ServerContext) => Promise<ToolOutcome>;

const taskIdParams = z.object({ taskId: z.string().min(1).max(200) });
const updateParams = taskIdParams.extend({ inputResponses: z.unknown().optional() });

export function registerTaskHandlers(server: Server, deps: ServerDeps, readTask: ReadTask): void {
  server.setRequestHandler("tasks/get", { params: taskIdParams }, async ({ taskId }, ctx) => {
    requireTasksDeclared(ctx);
    const entry = await ownEntry(deps, taskId);
    const base = {
      taskId,
      createdAt: entry.created_at,
      lastUpdatedAt: entry.updated_at,
      ttlMs: null,
      pollIntervalMs: POLL_INTERVAL_MS,
    };
    const task: DetailedTaskV2 = entry.cancelled_at
      ? { ...base, status: "cancelled", statusMessage: cancelledNote(entry) }
      : { ...base, ...stateOf(await readTask(entry.id, ctx)) };
    return { resultType: "complete", ...task };
  });

  server.setRequestHandler("tasks/cancel", { params: taskIdParams }, async ({ taskId }, ctx) => {
    requireTasksDeclared(ctx);
    const entry = await ownEntry(deps, taskId);
    // Cooperative, as the extension allows: a finished task stays finished.
    const finished = entry.status !== null && isTerminalStatus(entry.status);
    if (!entry.cancelled_at && !finished)
      await deps.store.put({ ...entry, cancelled_at: new Date().toISOString() });
    return { resultType: "complete" };
  });

  // tasks/update carries answers for a task waiting on input; a generation never waits on
  // any, so there is nothing to update, but the method is the extension's and is answered.
  server.setRequestHandler("tasks/update", { params: updateParams }, async ({ taskId }, ctx) => {
    requireTasksDeclared(ctx);
    await ownEntry(deps, taskId);
    throw new ProtocolError(
      ProtocolErrorCode.InvalidParams,
      `Task ${taskId} is not waiting for input: generations never ask for any once submitted.`,
    );
  });
}

/** The caller's own ledger entry for a task id; anyone else's is "unknown", like a made-up id. */
async function ownEntry(deps: ServerDeps, taskId: string): Promise<LedgerEntry> {
  const entry = await deps.store.findByClientRequestId(deps.owner, taskId);
  if (entry) return entry;
  throw new ProtocolError(
    ProtocolErrorCode.InvalidParams,
    `No task ${taskId} among yours. Task ids are the client_request_id generate_video answered with; get_task without task_id lists your recent tasks.`,
  );
}

type CompletedTask = Extract<DetailedTaskV2, { status: "completed" }>;
type TaskState =
  | { status: "working"; statusMessage: string }
  | { status: "completed"; result: CompletedTask["result"] }
  | { status: "failed"; error: { code: number; message: string } };

/** get_task's answer as a task's state. */
function stateOf(outcome: ToolOutcome): TaskState {
  const text = textOf(outcome);
  if (outcome.result.isError) {
    // Reading failed (the provider down, say): the paid task is still there; keep polling.
    if (outcome.retryable) return { status: "working", statusMessage: text };
    return { status: "failed", error: { code: ProtocolErrorCode.InternalError, message: text } };
  }
  const task = outcome.structured?.task as { done?: boolean; status?: string } | undefined;
  if (!task?.done) return { status: "working", statusMessage: progressOf(outcome) };
  // The generation's own failure is the tool's failure: a result marked isError, which
  // says what was refunded and whether trying again helps.
  const failed = task.status === "failed";
  return {
    status: "completed",
    // The embedded result carries its own resultType, as the extension's clients require.
    result: {
      ...outcome.result,
      ...(failed ? { isError: true } : {}),
      resultType: "complete",
    } as CompletedTask["result"],
  };
}

function cancelledNote(entry: LedgerEntry): string {
  return `Cancelled at ${entry.cancelled_at}: this server stopped following the task. A submitted generation is paid and cannot be un-paid; the provider may still finish it, and get_task ${entry.client_request_id} still reads it.`;
}

/**
 * Where a running generation stands, for the host to show while it polls: said from the
 * task view rather than the tool's text, which tells an agent to call get_task.
 */
function progressOf(outcome: ToolOutcome): string {
  const task = outcome.structured?.task as
    | { task_id: string; status: string; reserved_credits: number }
    | undefined;
  if (!task) return textOf(outcome);
  return `Task ${task.task_id} is ${task.status} (${task.reserved_credits} credits reserved).`;
}

const textOf = (outcome: ToolOutcome) => {
  const first = outcome.result.content[0];
  return first?.type === "text" ? first.text : "";
};
