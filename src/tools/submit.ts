/**
 * The part of generate_video that costs credits: the spend checks, the create under a
 * stable Idempotency-Key, and the ledger entry written before anything else can go wrong.
 */
import { createHash } from "node:crypto";
import { RivyaError } from "../rivya/errors.js";
import { classify, ToolError } from "./errors.js";
import type { GenerateCall } from "./generate-request.js";
import { entryFor, hashRequest, recordSafely } from "./ledger.js";
import { guardSpend } from "./spend-guard.js";
import type { ServerDeps, ToolContext } from "./types.js";

/**
 * The Idempotency-Key is derived from the client_request_id and the caller, so the same
 * logical request maps to the same upstream task across tool retries and server restarts.
 */
function idempotencyKeyFor(owner: string, clientRequestId: string): string {
  const digest = createHash("sha256").update(`${owner}\n${clientRequestId}`).digest("hex");
  return `rmcp_${digest.slice(0, 40)}`;
}

/** Spend checks, the create, and the ledger entry: the part that costs credits. */
export async function submit(
  call: GenerateCall,
  clientRequestId: string,
  ctx: ToolContext,
  deps: ServerDeps,
) {
  const { model, body } = call;
  const summary = `A ${model.displayName} video ("${body.prompt.slice(0, 80)}")`;
  const { maxCredits, confirmed } = call;
  await guardSpend({ model, cost: model.baseCredits, maxCredits, confirmed, summary }, ctx, deps);

  const idempotencyKey = idempotencyKeyFor(deps.owner, clientRequestId);
  let created: Awaited<ReturnType<typeof deps.client.createGeneration>>;
  try {
    // Not cancellable: a create aborted mid-flight may still be charged, and then its id
    // would be lost. It is short; a cancel takes effect right after it is recorded.
    created = await deps.client.createGeneration(
      { ...body, client_request_id: clientRequestId },
      { idempotencyKey },
    );
  } catch (err) {
    throw withRetryHint(err, clientRequestId);
  }
  const entry = entryFor(created.task, {
    owner: deps.owner,
    requestHash: hashRequest(body),
    idempotencyKey,
    clientRequestId,
    cost: model.baseCredits,
  });
  // Recorded before anything else can go wrong, so the id survives a crash or a timeout.
  await recordSafely(deps, entry);
  return { created, entry };
}

/** Errors after the request may have reached Rivya say how to retry without paying twice. */
function withRetryHint(err: unknown, clientRequestId: string): unknown {
  if (!(err instanceof RivyaError)) return err;
  const c = classify(err);
  if (!c.retryable) return err;
  const hint = `${c.message} Rivya may or may not have created the task. It is safe to retry: call generate_video again with client_request_id "${clientRequestId}" and the same arguments; you will get the same task and pay once.`;
  return new ToolError(hint, c.category, true, c.retryAfterSeconds);
}
