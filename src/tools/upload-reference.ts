import { z } from "zod";
import { formatBytes } from "../catalog/files-policy.js";
import { findModel } from "../catalog/index.js";
import type { ModelTable, ReferenceKindRule } from "../catalog/types.js";
import { ToolInputError } from "../errors/tool-error.js";
import { checkImageRules } from "../media/image-rules.js";
import { type LoadedReference, loadReference, tooLarge } from "../media/upload-source.js";
import type { Provider, UploadedFile } from "../providers/types.js";
import { strictArgs, unknownModelMessage } from "./arguments.js";
import { CREATES, defineTool, type ServerDeps } from "./define.js";
import { modelIds } from "./generate-request.js";

const inputSchemaFor = (models: readonly ModelTable[]) =>
  strictArgs("upload_reference", {
    model: z.enum(modelIds(models)).describe("Model the reference is for"),
    path: z.string().optional().describe("Local file in an allowed folder (stdio only)"),
    url: z.string().optional().describe("Public https URL of the file"),
    base64: z.string().optional().describe("File as base64 or a data: URL"),
    filename: z.string().optional().describe("Name for the file"),
  });

const outputSchema = z.object({
  reference_media_item: z.object({
    url: z.string(),
    kind: z.string(),
    name: z.string(),
    mimeType: z.string(),
    durationSeconds: z.number().optional(),
    durationToken: z.string().optional(),
  }),
  file_id: z.string(),
  size_bytes: z.number(),
  source: z.string(),
  uploaded_to: z.string(),
  /** Where the item goes in reference_media, for models that read references by place. */
  frame: z.string().optional(),
  /** When the provider deletes the file (ISO 8601); absent when it keeps files. */
  expires_at: z.string().optional(),
});

/** "first: start frame (image_start); second: end frame (image_end)", or undefined. */
function framesOf(model: ModelTable): string | undefined {
  const frames = model.referenceMedia?.frames;
  if (!frames?.length) return undefined;
  const places = ["first", "second", "third", "fourth"];
  return frames.map((f, i) => `${places[i] ?? `#${i + 1}`}: ${f}`).join("; ");
}

function ruleFor(model: ModelTable, file: LoadedReference): ReferenceKindRule {
  const kinds = model.referenceMedia?.kinds ?? [];
  if (kinds.length === 0) throw new ToolInputError(`${model.id} takes no reference media.`);
  const accepted = kinds.flatMap((k) => k.mimeTypes).join(", ");
  const rule = kinds.find((k) => file.mime && k.mimeTypes.includes(file.mime));
  if (!rule) {
    const what = file.mime ? `is ${file.mime}` : "is not a recognised image, video or audio file";
    throw new ToolInputError(
      `The file's content ${what}; ${model.id} accepts ${accepted}. Convert it to one of those.`,
    );
  }
  if (file.size > rule.maxBytes) throw tooLarge(file.size, rule.maxBytes, model);
  return rule;
}

export const uploadReferenceTool = (models: readonly ModelTable[]) => {
  const inputSchema = inputSchemaFor(models);
  return defineTool({
    name: "upload_reference",
    title: "Upload a reference image",
    description:
      "Upload a reference image (local path, https URL or base64); type and size are checked against the model first. Returns the item for generate_video's reference_media.",
    inputSchema,
    outputSchema,
    annotations: CREATES,
    parse(args) {
      const given = (args as { model?: unknown } | undefined)?.model;
      if (typeof given !== "string" || !findModel(given, models))
        throw new ToolInputError(unknownModelMessage(given, models));
      return inputSchema.parse(args);
    },
    async handler(input, ctx, deps) {
      const model = findModel(input.model, models);
      if (!model) throw new ToolInputError(unknownModelMessage(input.model, models));
      const provider = uploaderFor(model, deps);
      if (!provider.upload) {
        throw new ToolInputError(
          `${provider.displayName} keeps no uploaded files for ${model.id}; pass an https URL of the image in reference_media instead.`,
        );
      }
      const allowed =
        deps.config.transport === "stdio" ? ((await ctx.roots()) ?? deps.config.allowDirs) : null;
      const load = () =>
        loadReference(input, {
          model,
          allowedDirs: allowed,
          blockPrivateUrls: deps.config.blockPrivateUrls,
          signal: ctx.signal,
        });
      // One person's burst of URL uploads must not tie up the server's connections.
      const slots = input.url === undefined ? undefined : deps.urlFetchSlots;
      const file = await (slots ? slots.run(load, ctx.signal) : load());
      // The local file stays open (and checked) until its upload is over.
      try {
        const rule = ruleFor(model, file);
        // A family's file goes to one member's provider: that member's own limits apply too.
        const target = storingMember(model, provider) ?? model;
        await checkImageRules(file.data, target === model ? rule : ruleFor(target, file), target);
        const mime = file.mime as string;
        const uploaded = await provider.upload(
          {
            data: file.data,
            filename: file.filename,
            mimeType: mime,
            kind: rule.kind,
            model: model.id,
          },
          { signal: ctx.signal },
        );
        await recordOwner(uploaded, provider, deps);
        const item = {
          url: uploaded.url,
          kind: uploaded.kind,
          name: uploaded.name,
          mimeType: uploaded.mimeType,
          ...(uploaded.durationSeconds === undefined
            ? {}
            : { durationSeconds: uploaded.durationSeconds }),
          ...(uploaded.durationToken === undefined
            ? {}
            : { durationToken: uploaded.durationToken }),
        };
        const frame = framesOf(model);
        const expires = uploaded.expiresAt;
        return {
          structured: {
            reference_media_item: item,
            file_id: uploaded.id,
            size_bytes: uploaded.sizeBytes,
            source: file.source,
            uploaded_to: uploaded.destination,
            ...(frame ? { frame } : {}),
            ...(expires ? { expires_at: expires } : {}),
          },
          text: [
            `Uploaded ${file.filename} (${mime}, ${formatBytes(file.size)}) from ${file.source} to ${provider.displayName} as ${uploaded.id}. Pass reference_media: [${JSON.stringify(item)}] to generate_video.`,
            ...(frame
              ? [
                  `${model.id} reads reference_media by place (${frame}): put this item in the place of its frame.`,
                ]
              : []),
            ...(expires
              ? [
                  `${provider.displayName} deletes the file at ${expires}; upload it again after that.`,
                ]
              : []),
          ].join(" "),
        };
      } finally {
        await file.release();
      }
    },
  });
};

/**
 * Remembers whose file this is, so generate_video refuses it to anyone else. A failure is
 * logged, not returned: the file is already in the provider's account, and failing the call
 * would only have the person upload it again (one more file there, recorded or not). What is
 * lost is the refusal for this one file, whose link then passes as anyone's own.
 */
async function recordOwner(uploaded: UploadedFile, provider: Provider, deps: ServerDeps) {
  try {
    await deps.store.recordUpload({
      owner: deps.owner,
      url: uploaded.url,
      provider: provider.id,
      file_id: uploaded.id,
      created_at: new Date().toISOString(),
      ...(uploaded.expiresAt === undefined ? {} : { expires_at: uploaded.expiresAt }),
    });
  } catch (err) {
    // Not the URL: a provider's file link may be all it takes to read the file.
    deps.log.error("could not record an upload's owner", {
      provider: provider.id,
      file_id: uploaded.id,
      error: String(err),
    });
  }
}

/**
 * Where a model's references are stored: its provider's file store; for a family, that of
 * the first member whose provider is configured and keeps files (its https links serve
 * every member).
 */
function uploaderFor(model: ModelTable, deps: ServerDeps) {
  if (!model.members) return deps.providers.forModel(model);
  const providers = model.members.map((m) => deps.providers.forModel(m.model));
  return (
    providers.find((p) => p.configured && p.upload) ??
    providers.find((p) => p.upload) ??
    (providers[0] as (typeof providers)[number])
  );
}

/** For a family, the member table whose provider stores the file and takes references. */
function storingMember(model: ModelTable, provider: Provider): ModelTable | undefined {
  const ids = new Set(model.members?.map((m) => m.model) ?? []);
  return provider.models.find((m) => ids.has(m.id) && m.referenceMedia);
}
