/**
 * The shape of one model table. Each provider's `models/` folder holds its tables,
 * transcribed from the model's public reference page; schemas, validation, list_models,
 * the simulator's `/models` output and the README are all derived from them.
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
  maxLength?: number;
}

/** A list of objects with the same fields, e.g. a storyboard's shots `[{prompt, duration}]`. */
export interface ListParam extends ParamBase {
  type: "list";
  default?: undefined;
  fields: readonly ParamSpec[];
  minItems: number;
  maxItems: number;
}

/** One object with named fields (each a param of its own, checked the same way). */
export interface ObjectParam extends ParamBase {
  type: "object";
  default?: undefined;
  fields: readonly ParamSpec[];
}

export type ParamSpec = SelectParam | NumberParam | TextParam | ListParam | ObjectParam;

export interface ReferenceKindRule {
  kind: MediaKind;
  maxBytes: number;
  mimeTypes: readonly string[];
  /** Images only: the shortest side allowed, in pixels. */
  minSide?: number;
  /** Images only: the longest side over the shortest at most (2.5 = 1:2.5 to 2.5:1). */
  maxAspect?: number;
}

export interface ReferenceMediaRules {
  /** Items a call must carry (image-to-video's start frame); absent: references are optional. */
  minFiles?: number;
  maxFiles: number;
  kinds: readonly ReferenceKindRule[];
  /** What the references do (e.g. "switches to image-to-video"). */
  description: string;
  /**
   * What each item is, by its place in reference_media, when the place matters (the first
   * is the start frame, …): upload_reference tells the agent where to put what it uploaded.
   */
  frames?: readonly string[];
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
  /** Rules across settings, in words: list_models and the README show them as written. */
  rules?: readonly string[];
  /**
   * Checks the `rules` (e.g. "shot durations add up to duration") once each value has passed
   * its own check. `settings` is every setting in the agent's natural form, defaults filled
   * in. Returns one sentence per problem, naming the fields; none means the call may go on.
   */
  validate?(settings: Record<string, unknown>, prompt: string): readonly string[];
  /**
   * Set on a family table: one model served by several providers (Kling 3.0 at Rivya and at
   * EvoLink). Its params are the family's own words; each member translates them.
   */
  members?: readonly FamilyMember[];
}

/** What a family call asks for, in the family's words, for a member to translate. */
export interface FamilyRequest {
  /** Every family setting, defaults filled in, in the agent's natural form. */
  settings: Record<string, unknown>;
  references: readonly { url: string; kind: string }[];
}

/** The member's own generate_video arguments, or why it cannot honour the request. */
export type Translation =
  | { params: Record<string, unknown>; references?: readonly unknown[] }
  | { refused: string };

export interface FamilyMember {
  /** The member model's id (a table of one of the providers). */
  model: string;
  translate(request: FamilyRequest): Translation;
}
