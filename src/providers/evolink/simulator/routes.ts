/**
 * The EvoLink simulator's route handlers: create, task, credits, result links, and the Files
 * API. Each returns a reply or throws a SimRequestError / FilesError the server renders.
 */
import type { IncomingMessage } from "node:http";
import { readBody, readJson } from "../../../simulator-kit/http.js";
import { SAMPLE_MP4 } from "../../../simulator-kit/sample-video.js";
import { round4 } from "../price.js";
import type { SimAccount } from "./accounts.js";
import { resultUrl, type SimContext } from "./context.js";
import { FILE_LIFETIME_MS, FilesError, type StoredFile } from "./files.js";
import { priceOf } from "./pricing.js";
import type { Reply } from "./replies.js";
import { SimRequestError, validateCreate } from "./validate.js";

export const RESULT_LIFETIME_MS = 24 * 3600 * 1000;
const MAX_JSON_BYTES = 1024 * 1024;

const KNOWN_FIELDS = new Set([
  "model",
  "prompt",
  "negative_prompt",
  "duration",
  "aspect_ratio",
  "quality",
  "sound",
  "model_params",
  "callback_url",
  "image_start",
  "image_end",
]);

export async function createTask(
  ctx: SimContext,
  req: IncomingMessage,
  account: SimAccount,
): Promise<Reply> {
  const body = await readJson(req, MAX_JSON_BYTES).catch(() => {
    throw new SimRequestError(
      400,
      "invalid_request",
      "invalid_request_error",
      "the body is not valid JSON",
      "body",
    );
  });
  const valid = validateCreate(body, ctx.validate);
  const unknown = Object.keys(body as object).find(
    (k) => !KNOWN_FIELDS.has(k) || (k === "aspect_ratio" && valid.model.includes("image")),
  );
  if (ctx.validate.strict && unknown) {
    throw new SimRequestError(
      400,
      "invalid_request",
      "invalid_request_error",
      `unknown field ${unknown}`,
      unknown,
    );
  }
  const now = ctx.now();
  if (ctx.buckets && !ctx.buckets.take(valid.model, now)) {
    throw new SimRequestError(
      429,
      "rate_limit_exceeded",
      "rate_limit_error",
      "Rate limit exceeded for this model",
      undefined,
      ctx.retryAfter,
    );
  }
  if (account.models && !account.models.includes(valid.model)) {
    throw new SimRequestError(
      403,
      "model_access_denied",
      "invalid_request_error",
      `Token does not have access to model: ${valid.model}`,
    );
  }
  const price = priceOf(valid.quality, valid.sound, valid.duration, ctx.multiplier4k);
  if (account.remaining < price) {
    throw new SimRequestError(
      402,
      "insufficient_quota",
      "insufficient_quota",
      `Insufficient quota: ${price} credits needed, ${account.remaining} left`,
    );
  }
  account.remaining = round4(account.remaining - price);
  account.used = round4(account.used + price);
  const task = ctx.tasks.add({
    key: account.key,
    model: valid.model,
    createdMs: now,
    duration: valid.duration,
    price,
    failCode: imageProblem(ctx, valid.images) ?? ctx.failCodeFor(valid.prompt),
    callbackUrl: valid.callbackUrl,
  });
  return { status: 200, body: ctx.tasks.detail(task, now, resultUrl(ctx, task)), droppable: true };
}

export function getTask(ctx: SimContext, id: string, account: SimAccount): Reply {
  if (!id.startsWith("task-unified-")) {
    throw new SimRequestError(
      400,
      "invalid_task_id",
      "invalid_request_error",
      "Invalid task ID format, must start with 'task-unified-'",
      "task_id",
    );
  }
  const task = ctx.tasks.get(id);
  if (!task)
    throw new SimRequestError(404, "task_not_found", "invalid_request_error", "Task not found");
  if (task.key !== account.key)
    throw new SimRequestError(
      403,
      "permission_denied",
      "invalid_request_error",
      "You do not have access to this task",
    );
  return { status: 200, body: ctx.tasks.detail(task, ctx.now(), resultUrl(ctx, task)) };
}

export function credits(account: SimAccount): Reply {
  const balance = { remaining_credits: account.remaining, used_credits: account.used };
  return {
    status: 200,
    body: {
      success: true,
      message: "",
      data: { token: { ...balance, unlimited_credits: false }, user: balance },
    },
  };
}

/** The result MP4, served until 24 h after the task completed (on the injected clock). */
export function resultVideo(ctx: SimContext, file: string): Reply {
  const task = ctx.tasks.get(file.replace(/\.mp4$/, ""));
  const now = ctx.now();
  if (!task || task.failCode || now < task.endsAtMs) return gone(404, "no such result");
  if (now >= task.endsAtMs + RESULT_LIFETIME_MS)
    return gone(410, "this result link expired 24 hours after the task completed");
  return { status: 200, raw: { contentType: "video/mp4", bytes: SAMPLE_MP4 } };
}

export function storedFile(ctx: SimContext, id: string): Reply {
  const f = ctx.files.get(id);
  if (!f) return gone(404, "no such file");
  if (expired(ctx, f)) return gone(410, "this file expired 72 hours after its upload");
  return { status: 200, raw: { contentType: f.mime, bytes: f.bytes } };
}

export async function upload(ctx: SimContext, kind: string, req: IncomingMessage): Promise<Reply> {
  const now = ctx.now();
  let data: unknown;
  if (kind === "stream") data = await ctx.files.fromStream(req, now);
  else {
    const body = await uploadJson(req, ctx.files.maxJsonBytes);
    data =
      kind === "base64"
        ? await ctx.files.fromBase64(body, now)
        : await ctx.files.fromUrl(body, now);
  }
  return {
    status: 200,
    body: { success: true, code: 200, msg: "File uploaded successfully", data },
  };
}

/**
 * The asynchronous image checks of §15, for images on this simulator's own Files API (the
 * only ones it can see): a missing file fails the task with image_processing_error, a format
 * Kling V3 does not take (gif, webp) with invalid_parameters. Pixel sizes are not simulated.
 */
function imageProblem(ctx: SimContext, images: string[]): string | undefined {
  const ours = `${ctx.baseUrl()}/files/`;
  for (const url of images) {
    if (!url.startsWith(ours)) continue;
    const file = ctx.files.get(url.slice(ours.length).split("/")[0] ?? "");
    if (!file || expired(ctx, file)) return "image_processing_error";
    if (file.mime !== "image/png" && file.mime !== "image/jpeg") return "invalid_parameters";
  }
  return undefined;
}

const expired = (ctx: SimContext, f: StoredFile) => ctx.now() >= f.uploadedMs + FILE_LIFETIME_MS;

/** A JSON upload body: past the bound it is a file too large (40001), not a bad request. */
async function uploadJson(req: IncomingMessage, limit: number): Promise<unknown> {
  const bytes = await readBody(req, limit).catch(() => {
    throw new FilesError(40001, "the upload is larger than the file size limit allows");
  });
  try {
    return JSON.parse(bytes.toString("utf8")) as unknown;
  } catch {
    throw new FilesError(40000, "the request body is not valid JSON");
  }
}

function gone(status: number, message: string): Reply {
  return {
    status,
    body: {
      error: {
        code: status === 410 ? "link_expired" : "not_found",
        message,
        type: "invalid_request_error",
      },
    },
  };
}
