import { basename } from "node:path";
import { z } from "zod";
import { formatBytes } from "../catalog/files-policy.js";
import { findModel } from "../catalog/index.js";
import type { ModelTable, ReferenceKindRule } from "../catalog/types.js";
import { ToolInputError } from "./errors.js";
import { modelIds } from "./generate-request.js";
import { resolveAllowedFile } from "./local-file.js";
import { defineTool } from "./types.js";

const inputSchemaFor = (models: readonly ModelTable[]) =>
  z.object({
    model: z.enum(modelIds(models)).describe("Model the reference is for"),
    path: z.string().optional().describe("Local file in an allowed folder (local server only)"),
    url: z.string().optional().describe("Public https URL of the file"),
    base64: z.string().optional().describe("File content as base64 (or a data: URL)"),
    filename: z.string().optional().describe("Name for the file"),
  });
type UploadInput = z.infer<ReturnType<typeof inputSchemaFor>>;

const outputSchema = z.object({
  reference_media_item: z
    .object({
      url: z.string(),
      kind: z.string(),
      name: z.string(),
      mimeType: z.string(),
      durationSeconds: z.number().optional(),
      durationToken: z.string().optional(),
    })
    .describe("Put this in generate_video's reference_media"),
  file_id: z.string(),
  size_bytes: z.number(),
  source: z.string(),
  uploaded_to: z.string(),
});

interface Loaded {
  data?: Uint8Array;
  path?: string;
  size: number;
  mime: string | undefined;
  filename: string;
  source: string;
}

function largestLimit(model: ModelTable): number {
  return Math.max(0, ...(model.referenceMedia?.kinds.map((k) => k.maxBytes) ?? []));
}

async function load(
  input: UploadInput,
  model: ModelTable,
  allowed: readonly string[] | null,
  signal: AbortSignal,
  blockPrivate: boolean,
): Promise<Loaded> {
  const given = [input.path, input.url, input.base64].filter((v) => v !== undefined).length;
  if (given !== 1) throw new ToolInputError("Give exactly one of path, url or base64.");
  const limit = largestLimit(model);
  if (input.path !== undefined) {
    if (!allowed)
      throw new ToolInputError(
        "path is not available on a hosted server; send the file as url or base64.",
      );
    const file = await resolveAllowedFile(input.path, allowed);
    if (file.size > limit) throw tooLarge(file.size, limit, model);
    // file-type and safe-fetch load on first use: a stdio start does not need them.
    const { fileTypeFromFile } = await import("file-type");
    const type = await fileTypeFromFile(file.path);
    return {
      path: file.path,
      size: file.size,
      mime: type?.mime,
      filename: input.filename ?? basename(file.path),
      source: `local file ${file.path}`,
    };
  }
  if (input.url !== undefined) {
    const { safeFetch } = await import("../net/safe-fetch.js");
    const body = await safeFetch(input.url, { maxBytes: limit, blockPrivate, signal });
    const { fileTypeFromBuffer } = await import("file-type");
    const type = await fileTypeFromBuffer(body.bytes);
    const name = input.filename ?? (basename(new URL(body.finalUrl).pathname) || "reference");
    return {
      data: body.bytes,
      size: body.bytes.length,
      mime: type?.mime,
      filename: name,
      source: `downloaded from ${body.finalUrl}`,
    };
  }
  const text = (input.base64 ?? "").replace(/^data:[^,]*;base64,/, "").replace(/\s+/g, "");
  // Check the size from the encoded length before decoding anything large.
  if (Math.floor((text.length * 3) / 4) > limit + 3)
    throw tooLarge(Math.floor((text.length * 3) / 4), limit, model);
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(text))
    throw new ToolInputError("base64 is not valid base64 text.");
  const data = Buffer.from(text, "base64");
  const { fileTypeFromBuffer } = await import("file-type");
  const type = await fileTypeFromBuffer(data);
  return {
    data,
    size: data.length,
    mime: type?.mime,
    filename: input.filename ?? `reference.${type?.ext ?? "bin"}`,
    source: "base64 from the call",
  };
}

function tooLarge(size: number, limit: number, model: ModelTable): ToolInputError {
  return new ToolInputError(
    `The file is ${formatBytes(size)}; ${model.id} accepts references up to ${formatBytes(limit)}. Resize or compress it.`,
  );
}

function ruleFor(model: ModelTable, file: Loaded): ReferenceKindRule {
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

export const uploadReferenceTool = (models: readonly ModelTable[]) =>
  defineTool({
    name: "upload_reference",
    title: "Upload a reference image",
    description:
      "Upload a reference image from a local path, an https URL or base64; content type and size are checked against the model first. Returns an item for generate_video's reference_media.",
    inputSchema: inputSchemaFor(models),
    outputSchema,
    annotations: {
      readOnlyHint: false,
      destructiveHint: false,
      idempotentHint: false,
      openWorldHint: true,
    },
    async handler(input, ctx, deps) {
      const model = findModel(input.model, models);
      if (!model) throw new ToolInputError(`Unknown model '${input.model}'. Call list_models.`);
      const allowed =
        deps.config.transport === "stdio" ? ((await ctx.roots()) ?? deps.config.allowDirs) : null;
      const file = await load(input, model, allowed, ctx.signal, deps.config.blockPrivateUrls);
      const rule = ruleFor(model, file);
      const mime = file.mime as string;
      const uploaded = await deps.client.uploadFile(
        {
          ...(file.path ? { path: file.path } : { data: file.data as Uint8Array }),
          filename: file.filename,
          mimeType: mime,
          kind: rule.kind,
          model: model.id,
        },
        { signal: ctx.signal },
      );
      const item = {
        url: uploaded.url,
        kind: uploaded.kind,
        name: uploaded.name,
        mimeType: uploaded.mimeType,
        ...(uploaded.durationSeconds === undefined
          ? {}
          : { durationSeconds: uploaded.durationSeconds }),
        ...(uploaded.durationToken === undefined ? {} : { durationToken: uploaded.durationToken }),
      };
      return {
        structured: {
          reference_media_item: item,
          file_id: uploaded.id,
          size_bytes: uploaded.sizeBytes,
          source: file.source,
          uploaded_to: "Rivya Files API (POST /api/v1/files)",
        },
        text: `Uploaded ${file.filename} (${mime}, ${formatBytes(file.size)}) from ${file.source} to Rivya as ${uploaded.id}. Pass reference_media: [${JSON.stringify(item)}] to generate_video.`,
      };
    },
  });
