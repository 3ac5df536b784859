/**
 * The shape of one model table. Each file under `models/` holds one table,
 * transcribed from the model's public reference page; schemas, validation, the
 * simulator's `/models` output and the README tool reference are all derived from it.
 */

export type MediaKind = "image" | "video" | "audio";

interface ParamBase {
  key: string;
  required: boolean;
  description: string;
}

/** A `select` param: upstream wants the chosen option as a string, even for "5" or "true". */
export interface SelectParam extends ParamBase {
  type: "select";
  default: string;
  options: readonly string[];
}

export interface NumberParam extends ParamBase {
  type: "number";
  default?: number;
  min: number;
  max: number;
}

export interface TextParam extends ParamBase {
  type: "text";
  default?: string;
}

export type ParamSpec = SelectParam | NumberParam | TextParam;

export interface ReferenceKindRule {
  kind: MediaKind;
  maxBytes: number;
  mimeTypes: readonly string[];
}

export interface ReferenceMediaRules {
  maxFiles: number;
  kinds: readonly ReferenceKindRule[];
  /** What the references do (e.g. "switches to image-to-video"). */
  description: string;
}

export interface PriceStatement {
  /** How the provider bills, in its own word: "FIXED" per call, "PER_SECOND", … */
  billing: string;
  /** Credits per call (FIXED) or per second (PER_SECOND), before any multiplier. */
  credits: number;
}

export interface ModelTable {
  id: string;
  displayName: string;
  category: "video" | "image" | "audio";
  inputs: readonly ("text" | "file")[];
  /** Modes the model supports; those listed in `uploadModes` need Files API references. */
  supportedModes: readonly string[];
  uploadModes: readonly string[];
  /** The price the provider's reference page states; its `quote()` turns it into a cost. */
  price: PriceStatement;
  maxPromptLength: number;
  params: readonly ParamSpec[];
  referenceMedia: ReferenceMediaRules | null;
}
