/** `POST /api/v1/generations`: validation, charging and Idempotency-Key replay. */

import { canonicalJson } from "../../../canonical-json.js";
import { ApiError, invalid, type Reply, readJson } from "../../../simulator-kit/http.js";
import { ownerOf, type RouteContext } from "./context.js";
import { MAX_IDEMPOTENCY_KEY_LENGTH } from "./idempotency.js";
import { validateGeneration } from "./validate.js";

/** Generation bodies are a prompt and a few params; anything near this is abuse. */
const JSON_BODY_LIMIT = 1024 * 1024;

function createTask(ctx: RouteContext, body: unknown): Reply & { body: { id: string } } {
  const { model, prompt, params } = validateGeneration(body, ctx.state.models);
  const cost = ctx.state.reserveCredits(model, params);
  const task = ctx.state.tasks.create(ownerOf(ctx), model, cost, prompt, Date.now());
  return { status: 202, body: task };
}

export async function createGeneration(ctx: RouteContext): Promise<Reply> {
  const header = ctx.req.headers["idempotency-key"];
  const key = typeof header === "string" && header !== "" ? header : undefined;
  if (key === undefined) return createTask(ctx, await readJson(ctx.req, JSON_BODY_LIMIT));
  if (key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    throw invalid(`Idempotency-Key must be at most ${MAX_IDEMPOTENCY_KEY_LENGTH} characters`);
  }
  const account = ownerOf(ctx);
  const store = ctx.state.idempotency;
  const scope = `${account.key}\n${key}`;
  const release = await store.lock(scope);
  try {
    const body = await readJson(ctx.req, JSON_BODY_LIMIT);
    const fingerprint = canonicalJson(body);
    const found = store.lookup(scope, fingerprint, Date.now());
    if (found.kind === "conflict") {
      throw new ApiError(
        409,
        "idempotency_conflict",
        "this Idempotency-Key was already used with a different request body; use a new key for a new request",
      );
    }
    if (found.kind === "replay") {
      const task = ctx.state.tasks.get(found.taskId, account, Date.now());
      if (task) return { status: 200, body: task };
      // Its task was evicted (the finished-task cap) or its account was: nothing to replay.
      store.forget(scope);
    }
    const reply = createTask(ctx, body);
    store.remember(scope, fingerprint, reply.body.id, Date.now());
    return reply;
  } finally {
    release();
  }
}
