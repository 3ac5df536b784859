import { DEFAULT_UPLOAD_POLICY } from "../../../catalog/files-policy.js";
import type { ModelTable } from "../../../catalog/types.js";

// Source: Rivya model reference page for kling-3-0 (seeds 000–002).
export const kling30: ModelTable = {
  id: "kling-3-0",
  displayName: "Kling 3.0",
  category: "video",
  inputs: ["text", "file"],
  supportedModes: ["text-to-video", "image-to-video"],
  uploadModes: ["image-to-video"],
  price: { billing: "FIXED", credits: 90 },
  maxPromptLength: 2000,
  params: [
    {
      key: "mode",
      type: "select",
      required: false,
      default: "pro",
      options: ["std", "pro"],
      description: "Generation mode",
    },
    {
      key: "multi_shots",
      type: "select",
      required: false,
      default: "false",
      options: ["false", "true"],
      description: "Shot mode",
    },
    {
      key: "duration",
      type: "select",
      required: false,
      default: "5",
      options: ["3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15"],
      description: "Duration in seconds",
    },
    {
      key: "sound",
      type: "select",
      required: false,
      default: "false",
      options: ["false", "true"],
      description: "Generate audio",
    },
    {
      key: "aspect_ratio",
      type: "select",
      required: false,
      default: "16:9",
      options: ["16:9", "9:16", "1:1"],
      description: "Aspect ratio",
    },
  ],
  referenceMedia: {
    maxFiles: 2,
    // Rivya's default image rule: these models take what the Files API takes.
    kinds: [DEFAULT_UPLOAD_POLICY.image],
    description: "Up to 2 image files in total for image-to-video.",
  },
};
