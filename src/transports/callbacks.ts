/**
 * Provider callbacks (webhooks) in hosted mode. The URL names a ledger entry and carries a
 * secret of that request's own; even a callback that presents it is only a hint: the task
 * is read again from the provider, with the person's own key, before the ledger changes.
 * A callback may also settle an intent whose create got no answer (its body names the task).
 */
import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { withTaskState } from "../generation/ledger.js";
import type { Store } from "../store/types.js";
import { readBody, sendJson } from "./http-io.js";
import type { People } from "./people.js";

/** Callback bodies are small status documents. */
const MAX_CALLBACK_BYTES = 64 * 1024;
const READ_TIMEOUT_MS = 10_000;
const CALLBACK_PATH = /^\/callbacks\/(gen_[\w-]{1,80})\/([\w-]{16,128})$/;

export const isCallbackPath = (path: string) => path.startsWith("/callbacks/");

/** The path as logs may show it: the secret never leaves the request. */
export const loggablePath = (path: string) =>
  isCallbackPath(path) ? path.replace(/^(\/callbacks\/[^/]*\/).*$/s, "$1[secret]") : path;

export type CallbackOutcome = "unknown" | "ignored" | "recorded" | "retry";

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** What one callback does to the ledger; "retry" asks the provider to send it again later. */
export async function settleFromCallback(
  people: People,
  store: Store,
  id: string,
  token: string,
  body: unknown,
): Promise<CallbackOutcome> {
  const entry = await store.entry(id);
  if (!entry?.callback_token || !sameSecret(entry.callback_token, token)) return "unknown";
  const deps = people.person(entry.owner)?.deps;
  if (!deps) return "ignored";
  const provider = deps.providers.forRecord(entry);
  const taskId = entry.task_id ?? provider.taskIdFromCallback?.(body);
  if (!taskId) return "ignored";
  let task: Awaited<ReturnType<typeof provider.getTask>>;
  try {
    task = await provider.getTask(taskId, { signal: AbortSignal.timeout(READ_TIMEOUT_MS) });
  } catch {
    return "retry";
  }
  // An intent is settled only by a task of its own model, read back under the person's key.
  if (entry.state === "submitting" && task.model !== entry.model) return "ignored";
  const latest = (await store.entry(id)) ?? entry;
  const next = withTaskState(latest, task);
  if (next === latest) return "recorded";
  // Not recordSafely: a write that failed must not be answered "done", or the provider
  // never sends again, and an in-doubt create may have no other way to be settled.
  try {
    await store.put(next);
  } catch {
    return "retry";
  }
  return "recorded";
}

const STATUS: Record<CallbackOutcome, number> = {
  unknown: 404,
  ignored: 204,
  recorded: 204,
  retry: 503,
};

export async function handleCallback(
  people: People,
  store: Store,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
): Promise<void> {
  const match = CALLBACK_PATH.exec(path);
  if (req.method !== "POST" || !match) return sendJson(res, 404, { error: "not found" });
  const body = await readBody(req, MAX_CALLBACK_BYTES);
  if (!body.ok) return sendJson(res, 413, { error: "callback body too large" });
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.text);
  } catch {
    parsed = undefined;
  }
  const outcome = await settleFromCallback(people, store, match[1] ?? "", match[2] ?? "", parsed);
  if (outcome === "unknown") return sendJson(res, 404, { error: "not found" });
  res.writeHead(STATUS[outcome]).end();
}
