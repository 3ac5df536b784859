import { createHash, randomUUID } from "node:crypto";
import { z } from "zod";
import type { ModelTable } from "../catalog/types.js";
import { RivyaError } from "../rivya/errors.js";
import { classify, ToolError, ToolInputError } from "./errors.js";
import { generateInputSchema, parseGenerateCall } from "./generate-request.js";
import { summarizeTask, taskViewSchema, toTaskView } from "./task-view.js";
import { defineTool } from "./types.js";
import { nextCheckSeconds, waitForTask } from "./wait.js";

const outputSchema = z.object({
  submitted: z.boolean(),
  model: z.string(),
  cost: z.object({ credits: z.number(), billing_type: z.string(), basis: z.string() }),
  client_request_id: z.string(),
  request: z.record(z.string(), z.unknown()).optional(),
  task: taskViewSchema.optional(),
  replayed: z.boolean().optional(),
  check_again_in_seconds: z.number().nullable().optional(),
  next_step: z.string(),
});

/**
 * The Idempotency-Key is derived from the client_request_id (and, in hosted mode, the
 * caller), so the same logical request maps to the same upstream task across tool retries
 * and server restarts.
 */
export function idempotencyKeyFor(owner: string, clientRequestId: string): string {
  return `rmcp_${createHash("sha256").update(`${owner}\n${clientRequestId}`).digest("hex").slice(0, 40)}`;
}

export const generateVideoTool = (models: readonly ModelTable[]) =>
  defineTool({
    name: "generate_video",
    title: "Generate a video",
    description:
      "Submit a Rivya video generation. Checks every input first (a bad call costs nothing) and states the credit cost. Returns the task id at once; optionally waits up to wait_seconds for the result. Poll with get_task.",
    inputSchema: generateInputSchema(models),
    outputSchema,
    annotations: {
      readOnlyHint: false,
      destructiveHint: false,
      idempotentHint: false,
      openWorldHint: true,
    },
    parse: (args) => parseGenerateCall(models, args),
    async handler(call, ctx, deps) {
      const { model, body } = call;
      const cost = {
        credits: model.baseCredits,
        billing_type: model.billingType,
        basis: `${model.id} reserves ${model.baseCredits} credits at submit; a failed task is refunded.`,
      };
      if (call.maxCredits !== undefined && cost.credits > call.maxCredits) {
        throw new ToolInputError(
          `This call costs ${cost.credits} credits, above max_credits ${call.maxCredits}. Raise max_credits or pick a cheaper model (list_models).`,
        );
      }
      const clientRequestId = call.clientRequestId ?? `auto_${randomUUID()}`;
      if (call.dryRun) {
        return {
          structured: {
            submitted: false,
            model: model.id,
            cost,
            client_request_id: clientRequestId,
            request: body as unknown as Record<string, unknown>,
            next_step: "Call again without dry_run to submit.",
          },
          text: `Dry run: valid request for ${model.id}, would cost ${cost.credits} credits. Nothing was submitted.`,
        };
      }
      const idempotencyKey = idempotencyKeyFor(deps.owner, clientRequestId);
      const submittedAt = Date.now();
      let created: Awaited<ReturnType<typeof deps.client.createGeneration>>;
      try {
        created = await deps.client.createGeneration(
          { ...body, client_request_id: clientRequestId },
          { idempotencyKey, signal: ctx.signal },
        );
      } catch (err) {
        throw withRetryHint(err, clientRequestId);
      }
      let task = created.task;
      if (call.waitSeconds > 0) {
        task = await waitForTask(deps.client, task, ctx, {
          waitSeconds: Math.min(call.waitSeconds, deps.config.maxWaitSeconds),
          firstPollDelayMs: deps.config.firstPollDelayMs,
          pollIntervalMs: deps.config.pollIntervalMs,
          submittedAt,
        }).catch(() => task); // a failed or cancelled wait must not hide the task id
      }
      const view = toTaskView(task);
      const checkIn = nextCheckSeconds(task, deps.config.pollIntervalMs);
      return {
        structured: {
          submitted: true,
          model: model.id,
          cost: { ...cost, credits: task.reserved_credits },
          client_request_id: clientRequestId,
          task: view,
          replayed: created.replayed,
          check_again_in_seconds: checkIn,
          next_step: view.done
            ? "Done. Use get_task with download to save the video locally."
            : `Call get_task with task_id ${task.id} in about ${checkIn} s.`,
        },
        text: `${created.replayed ? "Already submitted (same client_request_id): " : "Submitted. "}${summarizeTask(view)}`,
      };
    },
  });

/** Errors after the request may have reached Rivya say how to retry without paying twice. */
function withRetryHint(err: unknown, clientRequestId: string): unknown {
  if (!(err instanceof RivyaError)) return err;
  const c = classify(err);
  if (!c.retryable) return err;
  const hint = `${c.message} It is safe to retry: call generate_video again with client_request_id "${clientRequestId}" and the same arguments; Rivya will return the same task instead of charging twice.`;
  return new ToolError(hint, c.category, true, c.retryAfterSeconds);
}
