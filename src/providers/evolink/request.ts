/**
 * A neutral generation request in EvoLink's create body (evolink-api.md §4, §6). Settings
 * arrive in the tables' upstream form (select values as strings, defaults filled in);
 * references arrive as `params.referenceMediaItems` and become image_start / image_end. A
 * request EvoLink would refuse is refused here first, before anything leaves.
 */

import { ToolInputError } from "../../errors/tool-error.js";
import type { GenerationRequest, ReferenceItem } from "../types.js";
import type { EvolinkCreateBody } from "./types.js";

const IMAGE_TO_VIDEO = "kling-v3-image-to-video";

interface Shot {
  prompt: string;
  duration: number | string;
}

function storyboard(params: Record<string, unknown>): Record<string, unknown> | undefined {
  const shots = params.shots as Shot[] | undefined;
  if (shots?.length) {
    return {
      multi_shot: true,
      shot_type: "customize",
      // EvoLink counts shots from 1 and wants each duration as a string.
      multi_prompt: shots.map((s, i) => ({
        index: i + 1,
        prompt: s.prompt,
        duration: String(s.duration),
      })),
    };
  }
  if (params.auto_shots === "true") return { multi_shot: true, shot_type: "intelligence" };
  return undefined;
}

export function toCreateBody(request: GenerationRequest): EvolinkCreateBody {
  const p = request.params ?? {};
  const body: EvolinkCreateBody = { model: request.model, prompt: request.prompt };
  if (p.duration !== undefined) body.duration = Number(p.duration);
  if (typeof p.aspect_ratio === "string") body.aspect_ratio = p.aspect_ratio;
  if (typeof p.quality === "string") body.quality = p.quality;
  if (p.sound === "on" || p.sound === "off") body.sound = p.sound;
  if (typeof p.negative_prompt === "string") body.negative_prompt = p.negative_prompt;
  const modelParams = storyboard(p);
  if (modelParams) body.model_params = modelParams;
  if (request.model === IMAGE_TO_VIDEO) {
    const [start, end] = (p.referenceMediaItems ?? []) as ReferenceItem[];
    // The table's minFiles refuses this before any quote or question (generate-request.ts);
    // kept for callers of the provider that bypass the tools.
    if (!start)
      throw new ToolInputError(
        "kling-v3-image-to-video needs a start frame: pass reference_media with one image (the start frame, image_start), and optionally a second (the end frame, image_end). Nothing was sent or charged.",
      );
    body.image_start = start.url;
    if (end) body.image_end = end.url;
  }
  return body;
}
