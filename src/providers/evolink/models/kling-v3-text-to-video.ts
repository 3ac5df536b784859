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

// Source: EvoLink's kling-v3-text-to-video page (evolink-api.md §4) and product page (§11).
export const klingV3TextToVideo: ModelTable = {
  ...KLING_V3_BASE,
  id: "kling-v3-text-to-video",
  displayName: "Kling V3 Text to Video",
  inputs: ["text"],
  supportedModes: ["text-to-video"],
  uploadModes: [],
  params: [
    duration,
    {
      key: "aspect_ratio",
      type: "select",
      required: false,
      // EvoLink states no default; the request always carries one, so it is chosen here.
      default: "16:9",
      options: ["16:9", "9:16", "1:1"],
      description: "Aspect ratio",
    },
    quality,
    sound,
    negativePrompt,
    shots,
    autoShots,
  ],
  referenceMedia: null,
};
