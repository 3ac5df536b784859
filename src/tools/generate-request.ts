/**
 * Validation of a generate_video call against the chosen model's table. Everything is
 * checked here, before any upstream call, so a bad request costs nothing.
 */
import * as z from "zod";
import { findModel } from "../catalog/index.js";
import {
  effectiveSettings,
  paramsSchema,
  promptLength,
  REFERENCE_URL,
  type ReferenceItemInput,
  referenceItemSchema,
  ruleProblems,
  withDefaults,
} from "../catalog/schema.js";
import type { ModelTable } from "../catalog/types.js";
import { MAX_WAIT_SECONDS } from "../config.js";
import { ToolInputError } from "../errors/tool-error.js";
import type { LimitUnit } from "../generation/spend-guard.js";
import { capWait } from "../generation/wait.js";
import type { GenerationRequest } from "../providers/types.js";
import type { Store } from "../store/types.js";
import { strictArgs, unknownModelMessage } from "./arguments.js";

export function modelIds(models: readonly ModelTable[]): [string, ...string[]] {
  return models.map((m) => m.id) as [string, ...string[]];
}

const PARAMS_NOT_OBJECT =
  'params must be an object of model settings, e.g. params: {"duration": 10}; list_models shows each model\'s settings';

/**
 * params is published as one plain object, the same for every model, so tools/list does
 * not grow with the catalogue; list_models gives each model's keys, allowed values and
 * rules, and parseGenerateCall checks the chosen model's table strictly.
 */
const paramsObject = z
  .looseObject({}, { error: PARAMS_NOT_OBJECT })
  .optional()
  .describe(
    "The model's settings, e.g. {\"duration\": 10}; list_models gives each model's keys, values, defaults (for keys left out) and rules",
  );

export function generateInputSchema(models: readonly ModelTable[]) {
  return strictArgs("generate_video", {
    model: z.enum(modelIds(models)).describe("Model id (see list_models)"),
    prompt: z.string().min(1).describe("What the video shows"),
    params: paramsObject,
    reference_media: z
      .array(referenceItemSchema(models))
      .optional()
      .describe("Items from upload_reference (image-to-video)"),
    client_request_id: z
      .string()
      .min(1)
      .max(128)
      .optional()
      .describe("Your id; reusing it returns the same task, never a second charge"),
    dry_run: z.boolean().optional().describe("Check and show the request and cost; submit nothing"),
    max_credits: z
      .number()
      .min(0)
      .optional()
      .describe(
        "Refuse above this cost, in the model's credits (a family's unit: see list_models)",
      ),
    confirm: z
      .boolean()
      .optional()
      .describe("The person agreed to the cost (to at most max_credits, if given)"),
    wait_seconds: z
      .number()
      .min(0)
      .optional()
      .describe(`Seconds to wait for the result (at most ${MAX_WAIT_SECONDS})`),
    resubmit_in_doubt: z
      .boolean()
      .optional()
      .describe("Resend a request in doubt at a provider without idempotency. MAY CHARGE TWICE"),
  });
}

export interface GenerateCall {
  model: ModelTable;
  body: GenerationRequest;
  clientRequestId: string | undefined;
  dryRun: boolean;
  /** In the model's provider's credits; for a family's member, in `limits`' credits. */
  maxCredits: number | undefined;
  confirmed: boolean;
  /** A family member's call: the credits max_credits and the threshold count (family.ts). */
  limits?: LimitUnit | undefined;
  /** The agent accepts that resending an in-doubt create may charge twice. */
  resubmitInDoubt: boolean;
  waitSeconds: number;
  /** The settings the request will use, defaults filled in, in the agent's natural form. */
  settings: Record<string, unknown>;
  /** Set when wait_seconds was above the cap and was shortened to it. */
  waitNote: string | undefined;
  /** When the call arrived: its wait ends wait_seconds after this, not after the create. */
  receivedAt: number;
}

function checkReferences(model: ModelTable, items: ReferenceItemInput[]): void {
  const rules = model.referenceMedia;
  if (!rules)
    throw new ToolInputError(`${model.id} takes no reference media; remove reference_media.`);
  if (items.length < (rules.minFiles ?? 0)) {
    const first = rules.frames?.[0] ?? "reference image";
    throw new ToolInputError(
      `${model.id} needs a ${first} in reference_media: upload the image with upload_reference and pass the item it returns (${rules.description}). Nothing was spent.`,
    );
  }
  if (items.length > rules.maxFiles) {
    throw new ToolInputError(
      `reference_media has ${items.length} items; ${model.id} accepts at most ${rules.maxFiles} (${rules.description}). Remove ${items.length - rules.maxFiles}.`,
    );
  }
  for (const [i, item] of items.entries()) {
    const rule = rules.kinds.find((k) => k.kind === item.kind);
    if (!rule) {
      const kinds = rules.kinds.map((k) => k.kind).join(", ");
      throw new ToolInputError(
        `reference_media[${i}].kind is ${item.kind}; ${model.id} accepts only ${kinds}.`,
      );
    }
    if (item.mimeType && !rule.mimeTypes.includes(item.mimeType)) {
      throw new ToolInputError(
        `reference_media[${i}].mimeType ${item.mimeType} is not accepted by ${model.id}; use ${rule.mimeTypes.join(", ")}.`,
      );
    }
  }
}

/** The sentence for one top-level key generate_video does not take. */
function strayKeySentence(
  key: string,
  value: unknown,
  model: ModelTable,
  models: readonly ModelTable[],
) {
  const example = `{${JSON.stringify(key)}: ${JSON.stringify(value ?? null)}}`;
  if (model.params.some((p) => p.key === key))
    return `${key} is a ${model.id} setting: send it inside params, e.g. params: ${example}`;
  const owner = models.find((m) => m.params.some((p) => p.key === key));
  if (owner) {
    const own = model.params.map((p) => p.key).join(", ");
    return `${key} is a ${owner.id} setting, not a ${model.id} one (${model.id} takes ${own}, inside params)`;
  }
  return `generate_video does not take ${key}`;
}

/** Refuses keys the tool would otherwise drop, so nothing is paid for at settings not asked for. */
function refuseStrayKeys(
  raw: Record<string, unknown>,
  known: string[],
  model: ModelTable,
  models: readonly ModelTable[],
): void {
  const stray = Object.keys(raw).filter((k) => !known.includes(k));
  if (stray.length === 0) return;
  const sentences = stray.map((k) => strayKeySentence(k, raw[k], model, models));
  throw new ToolInputError(
    `${sentences.join(". ")}. Its top-level arguments are ${known.join(", ")}; move or remove the others and call again. Nothing was spent.`,
  );
}

export function parseGenerateCall(models: readonly ModelTable[], args: unknown): GenerateCall {
  const raw = (args ?? {}) as Record<string, unknown>;
  const model = typeof raw.model === "string" ? findModel(raw.model, models) : undefined;
  if (!model) throw new ToolInputError(unknownModelMessage(raw.model, models));
  // The published schema with only this model offered; params are checked against its table below.
  const envelope = generateInputSchema([model]);
  refuseStrayKeys(raw, Object.keys(envelope.shape), model, models);
  const input = envelope.parse(args);
  const length = promptLength(input.prompt);
  if (length > model.maxPromptLength) {
    throw new ToolInputError(
      `prompt is ${length} characters; ${model.id} allows at most ${model.maxPromptLength}. Shorten it.`,
    );
  }
  const params = withDefaults(model, paramsSchema(model).parse(input.params ?? {}));
  const settings = effectiveSettings(model, params);
  const problems = ruleProblems(model, settings, input.prompt);
  if (problems.length > 0) {
    throw new ToolInputError(
      `${problems.join(" ")} Fix params and call again; nothing was spent. list_models shows ${model.id}'s rules.`,
    );
  }
  const references = input.reference_media ?? [];
  if (references.length || model.referenceMedia?.minFiles) checkReferences(model, references);
  if (references.length) params.referenceMediaItems = references;
  const body: GenerationRequest = { model: model.id, prompt: input.prompt, params };
  if (input.client_request_id) body.client_request_id = input.client_request_id;
  return {
    model,
    body,
    settings,
    clientRequestId: input.client_request_id,
    dryRun: input.dry_run ?? false,
    maxCredits: input.max_credits,
    confirmed: input.confirm ?? false,
    resubmitInDoubt: input.resubmit_in_doubt ?? false,
    ...capWait(input.wait_seconds),
    receivedAt: Date.now(),
  };
}

/**
 * Providers fetch references over https, as upload_reference requires; the only plain-http
 * links accepted are from origins a provider names as its own (the demo simulators'
 * uploads). Checked before anything is paid, like every other input.
 */
export function checkReferenceUrls(call: GenerateCall, ownOrigins: readonly string[]): void {
  const items = (call.body.params?.referenceMediaItems ?? []) as ReferenceItemInput[];
  for (const item of items) {
    const url = new URL(item.url);
    if (url.protocol !== "https:" && !ownOrigins.includes(url.origin))
      throw new ToolInputError(REFERENCE_URL);
  }
}

/**
 * In hosted mode everyone's uploads sit in the one provider account the server's key opens,
 * so a link upload_reference gave one person would serve anyone who has it: a reference
 * recorded as another person's upload is refused, before anything is paid. Links never
 * recorded (a person's own https files) stay theirs to use. Over stdio everything is
 * "local"'s, so nothing is refused there.
 */
export async function checkReferenceOwners(
  call: GenerateCall,
  owner: string,
  uploads: Pick<Store, "uploadOwner">,
): Promise<void> {
  const items = (call.body.params?.referenceMediaItems ?? []) as ReferenceItemInput[];
  const uploaders = await Promise.all(items.map((item) => uploads.uploadOwner(item.url)));
  for (const [i, uploader] of uploaders.entries()) {
    // The other person is not named: who uploaded what is theirs to tell.
    if (uploader !== undefined && uploader !== owner)
      throw new ToolInputError(
        `reference_media[${i}].url is a file another person of this server uploaded: it belongs to them, not to you. Upload your own copy with upload_reference and pass the item it returns. Nothing was spent.`,
      );
  }
}
