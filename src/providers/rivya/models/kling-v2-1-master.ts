import { DEFAULT_UPLOAD_POLICY } from "../../../catalog/files-policy.js";
import type { ModelTable } from "../../../catalog/types.js";

// Source: Rivya model reference page for kling-v2-1-master (seed 003).
export const klingV21Master: ModelTable = {
  id: "kling-v2-1-master",
  displayName: "Kling V2.1 Master",
  category: "video",
  inputs: ["text", "file"],
  supportedModes: ["text-to-video", "image-to-video"],
  uploadModes: ["image-to-video"],
  price: { billing: "FIXED", credits: 160 },
  maxPromptLength: 5000,
  params: [
    {
      key: "duration",
      type: "select",
      required: false,
      default: "5",
      options: ["5", "10"],
      description: "Duration in seconds",
    },
    {
      key: "aspect_ratio",
      type: "select",
      required: false,
      default: "16:9",
      options: ["16:9", "9:16", "1:1"],
      description: "Aspect ratio",
    },
    {
      key: "negative_prompt",
      type: "text",
      required: false,
      description: "Negative prompt: what the video should avoid",
    },
    {
      key: "cfg_scale",
      type: "number",
      required: false,
      default: 0.5,
      min: 0,
      max: 1,
      description:
        "How closely the result follows the prompt; higher stays closer to it but motion or composition may look stiff",
    },
  ],
  referenceMedia: {
    maxFiles: 1,
    // Rivya's default image rule: these models take what the Files API takes.
    kinds: [DEFAULT_UPLOAD_POLICY.image],
    description:
      "Optionally one image: supplying it switches to image-to-video; leave it out for text-to-video.",
  },
};
