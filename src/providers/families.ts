/**
 * Families: one model served by several providers, named once so an agent can ask for
 * "kling-3.0" and let the server pick a member by policy and health. A family's params are
 * its own words; each member translates them or says why it cannot honour them, and then
 * the member's own table checks the result as if the agent had named it directly.
 */

import { DEFAULT_UPLOAD_POLICY } from "../catalog/files-policy.js";
import type { FamilyMember, FamilyRequest, ModelTable, ParamSpec } from "../catalog/types.js";
import {
  autoShots,
  duration,
  negativePrompt,
  STORYBOARD_RULES,
  shots,
  storyboardProblems,
} from "./evolink/models/storyboard.js";

const quality: ParamSpec = {
  key: "quality",
  type: "select",
  required: false,
  default: "720p",
  options: ["720p", "1080p"],
  description: "720p (Rivya std, EvoLink 720p) or 1080p (Rivya pro, EvoLink 1080p)",
};

const sound: ParamSpec = {
  key: "sound",
  type: "select",
  required: false,
  default: "false",
  options: ["false", "true"],
  description: "Generate audio",
};

const aspectRatio: ParamSpec = {
  key: "aspect_ratio",
  type: "select",
  required: false,
  default: "16:9",
  options: ["16:9", "9:16", "1:1"],
  description: "Aspect ratio (text to video; with a start frame the frame decides)",
};

/** The family's settings an EvoLink Kling V3 table takes under the same names. */
function evolinkSettings(s: Record<string, unknown>): Record<string, unknown> {
  return {
    duration: s.duration,
    quality: s.quality,
    sound: s.sound ? "on" : "off",
    ...(s.negative_prompt ? { negative_prompt: s.negative_prompt } : {}),
    ...(s.shots ? { shots: s.shots } : {}),
    ...(s.auto_shots ? { auto_shots: true } : {}),
  };
}

const rivyaKling3: FamilyMember = {
  model: "kling-3-0",
  translate({ settings: s, references }: FamilyRequest) {
    if (s.shots) return { refused: "a timed storyboard (shots) is EvoLink's only" };
    if (s.negative_prompt) return { refused: "kling-3-0 takes no negative_prompt" };
    if (references.length > 1)
      return { refused: "an end frame (a second image) is EvoLink's only" };
    return {
      params: {
        mode: s.quality === "1080p" ? "pro" : "std",
        duration: s.duration,
        sound: s.sound,
        aspect_ratio: s.aspect_ratio,
        // Rivya's untimed multi-shot: the model cuts where it sees fit, as EvoLink's auto shots.
        multi_shots: Boolean(s.auto_shots),
      },
      references,
    };
  },
};

const evolinkTextToVideo: FamilyMember = {
  model: "kling-v3-text-to-video",
  translate({ settings, references }: FamilyRequest) {
    if (references.length) return { refused: "takes no images (its image-to-video sibling does)" };
    return { params: { ...evolinkSettings(settings), aspect_ratio: settings.aspect_ratio } };
  },
};

const evolinkImageToVideo: FamilyMember = {
  model: "kling-v3-image-to-video",
  translate({ settings, references }: FamilyRequest) {
    if (!references.length) return { refused: "needs a start frame in reference_media" };
    return { params: evolinkSettings(settings), references };
  },
};

export const kling30Family: ModelTable = {
  id: "kling-3.0",
  displayName: "Kling 3.0",
  category: "video",
  inputs: ["text", "file"],
  supportedModes: ["text-to-video", "image-to-video"],
  uploadModes: ["image-to-video"],
  // Priced by the member chosen: list_models shows each member's quote.
  price: { billing: "BY_MEMBER", credits: 0 },
  maxPromptLength: 2500,
  params: [duration, quality, sound, aspectRatio, negativePrompt, shots, autoShots],
  referenceMedia: {
    maxFiles: 2,
    kinds: [DEFAULT_UPLOAD_POLICY.image],
    description:
      "Optional: a start frame, and a second image as the end frame (EvoLink only). Each member's own limits apply to the member chosen.",
  },
  rules: [
    ...STORYBOARD_RULES,
    "Members: kling-3-0 (Rivya), kling-v3-text-to-video and kling-v3-image-to-video (EvoLink); a setting only one member honours routes to that member.",
  ],
  validate: (settings) => storyboardProblems(settings),
  members: [rivyaKling3, evolinkTextToVideo, evolinkImageToVideo],
};

export const FAMILIES: readonly ModelTable[] = [kling30Family];
