import type { ModelTable } from "../../../catalog/types.js";
import { kling30 } from "./kling-3-0.js";
import { klingV21Master } from "./kling-v2-1-master.js";

/** Rivya's models. Adding one = its table file here and one line in this list. */
export const RIVYA_MODELS: readonly ModelTable[] = [kling30, klingV21Master];
