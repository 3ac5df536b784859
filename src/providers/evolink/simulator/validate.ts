/**
 * The simulator's synchronous checks of a create body (evolink-api.md §4, §6, §10, §15). The
 * first broken rule is refused with 400 `invalid_request` naming the field in `param`.
 */
import { isPlainObject } from "../../../canonical-json.js";

export const T2V = "kling-v3-text-to-video";
export const I2V = "kling-v3-image-to-video";
export const SIM_MODELS = [T2V, I2V] as const;

export class SimRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly type: string,
    message: string,
    readonly param?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const refuse = (param: string, message: string) =>
  new SimRequestError(400, "invalid_request", "invalid_request_error", message, param);

export interface ValidCreate {
  model: (typeof SIM_MODELS)[number];
  prompt: string;
  duration: number;
  quality: string;
  sound: "on" | "off";
  callbackUrl: string | undefined;
  /** image_start and image_end as given (I2V only). */
  images: string[];
}

export interface ValidateOptions {
  /** Lets tests use `http://127.0.0.1:…` receivers; EvoLink itself wants public HTTPS. */
  allowLoopbackCallbacks: boolean;
}

function oneOf(body: Record<string, unknown>, field: string, allowed: string[], dflt: string) {
  const v = body[field] ?? dflt;
  if (typeof v !== "string" || !allowed.includes(v)) {
    throw refuse(field, `${field} must be one of ${allowed.join(", ")}`);
  }
  return v;
}

export function validateCreate(body: unknown, opts: ValidateOptions): ValidCreate {
  if (!isPlainObject(body)) throw refuse("body", "the request body must be a JSON object");
  const model = body.model;
  if (model !== T2V && model !== I2V)
    throw refuse("model", `model must be one of ${SIM_MODELS.join(", ")}`);
  const duration = body.duration ?? 5;
  if (
    typeof duration !== "number" ||
    !Number.isInteger(duration) ||
    duration < 3 ||
    duration > 15
  ) {
    throw refuse("duration", "duration must be an integer from 3 to 15");
  }
  const quality = oneOf(body, "quality", ["720p", "1080p", "4k"], "720p");
  const sound = oneOf(body, "sound", ["on", "off"], "off") as "on" | "off";
  if (model === T2V && body.aspect_ratio !== undefined)
    oneOf(body, "aspect_ratio", ["16:9", "9:16", "1:1"], "");
  const images = model === I2V ? checkImages(body) : [];
  const customize = checkModelParams(body.model_params, duration);
  const prompt = body.prompt ?? "";
  if (typeof prompt !== "string" || prompt.length > 2500)
    throw refuse("prompt", "prompt must be a string of at most 2500 characters");
  if (model === T2V && !customize && prompt.trim() === "")
    throw refuse("prompt", "prompt is required");
  return {
    model,
    prompt,
    duration,
    quality,
    sound,
    callbackUrl: checkCallback(body.callback_url, opts),
    images,
  };
}

function checkImages(body: Record<string, unknown>): string[] {
  if (body.image_start === undefined)
    throw refuse("image_start", "image_start is required for kling-v3-image-to-video");
  const images: string[] = [];
  for (const field of ["image_start", "image_end"]) {
    const v = body[field];
    if (v === undefined) continue;
    if (!(typeof v === "string" && /^https?:\/\/[^\s]+$/i.test(v))) {
      throw refuse(field, `${field} must be an http(s) URL`);
    }
    images.push(v);
  }
  return images;
}

/** Returns whether this is a customised storyboard (then the top-level prompt may be empty). */
function checkModelParams(params: unknown, duration: number): boolean {
  if (params === undefined) return false;
  if (!isPlainObject(params)) throw refuse("model_params", "model_params must be an object");
  if (params.multi_shot === undefined || params.multi_shot === false) return false;
  if (params.multi_shot !== true)
    throw refuse("model_params.multi_shot", "multi_shot must be a boolean");
  const shotType = params.shot_type;
  if (shotType === "intelligence") return false;
  if (shotType !== "customize")
    throw refuse("model_params.shot_type", "shot_type must be customize or intelligence");
  checkShots(params.multi_prompt, duration);
  return true;
}

function checkShots(shots: unknown, duration: number): void {
  const field = "model_params.multi_prompt";
  if (!Array.isArray(shots) || shots.length < 1 || shots.length > 6)
    throw refuse(field, "multi_prompt must hold 1 to 6 shots");
  let sum = 0;
  shots.forEach((shot: unknown, i) => {
    const at = `${field}[${i}]`;
    if (!isPlainObject(shot)) throw refuse(at, "each shot must be an object");
    if (shot.index !== i + 1)
      throw refuse(`${at}.index`, `index must be ${i + 1} (shots count from 1)`);
    if (typeof shot.prompt !== "string" || shot.prompt.length > 512)
      throw refuse(`${at}.prompt`, "a shot prompt must be a string of at most 512 characters");
    const seconds =
      typeof shot.duration === "string" && /^\d+$/.test(shot.duration)
        ? Number(shot.duration)
        : Number.NaN;
    if (!(seconds >= 1 && seconds <= duration))
      throw refuse(
        `${at}.duration`,
        "a shot duration must be a string of whole seconds, at least 1",
      );
    sum += seconds;
  });
  if (sum !== duration)
    throw refuse(field, `shot durations add up to ${sum}, not the duration ${duration}`);
}

const PRIVATE_HOST =
  /^(localhost|127\.|10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|169\.254\.|0\.|\[::1\]|\[f[cd])/i;

function checkCallback(v: unknown, opts: ValidateOptions): string | undefined {
  if (v === undefined) return undefined;
  const field = "callback_url";
  if (typeof v !== "string" || v.length > 2048)
    throw refuse(field, "callback_url must be a URL of at most 2048 characters");
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    throw refuse(field, "callback_url is not a URL");
  }
  const loopback = url.hostname === "127.0.0.1" && opts.allowLoopbackCallbacks;
  if (loopback) return v;
  if (url.protocol !== "https:") throw refuse(field, "callback_url must use https");
  if (PRIVATE_HOST.test(url.hostname))
    throw refuse(field, "callback_url must not point at a private address");
  return v;
}
