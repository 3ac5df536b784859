import type { ModelTable } from "../../../catalog/types.js";
import {
  autoShots,
  duration,
  KLING_V3_BASE,
  negativePrompt,
  quality,
  shots,
  sound,
} from "./storyboard.js";

// Source: EvoLink's kling-v3-image-to-video page (evolink-api.md §6); no aspect_ratio: the
// output follows the image.
export const klingV3ImageToVideo: ModelTable = {
  ...KLING_V3_BASE,
  id: "kling-v3-image-to-video",
  displayName: "Kling V3 Image to Video",
  inputs: ["text", "file"],
  supportedModes: ["image-to-video"],
  uploadModes: ["image-to-video"],
  params: [duration, quality, sound, negativePrompt, shots, autoShots],
  referenceMedia: {
    minFiles: 1,
    maxFiles: 2,
    kinds: [
      {
        kind: "image",
        maxBytes: 10 * 1024 * 1024,
        mimeTypes: ["image/jpeg", "image/png"],
        minSide: 300,
        maxAspect: 2.5,
      },
    ],
    frames: ["start frame (image_start)", "end frame (image_end)"],
    description:
      "Required: the first item is the start frame (image_start); an optional second is the end frame (image_end). jpg or png, at most 10 MB, at least 300 px per side, aspect between 1:2.5 and 2.5:1.",
  },
};
