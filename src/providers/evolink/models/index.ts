import type { ModelTable } from "../../../catalog/types.js";
import { klingV3ImageToVideo } from "./kling-v3-image-to-video.js";
import { klingV3TextToVideo } from "./kling-v3-text-to-video.js";

/**
 * EvoLink's models. The turbo models are left out: their storyboard is written inside the
 * prompt and they take no sound, so they would need a table of their own rules.
 */
export const EVOLINK_MODELS: readonly ModelTable[] = [klingV3TextToVideo, klingV3ImageToVideo];
