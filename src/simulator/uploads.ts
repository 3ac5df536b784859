/** `POST /api/v1/files`: read the multipart body, pick the rule, check the bytes, store. */
import { ownerOf, type RouteContext } from "./context.js";
import { checkContent, isKind, largestUploadLimit, uploadRule } from "./files.js";
import { invalid, type Reply } from "./http.js";
import { readMultipart } from "./multipart.js";

export async function uploadFile(ctx: RouteContext): Promise<Reply> {
  const { models, files, baseUrl } = ctx.state;
  const upload = await readMultipart(ctx.req, (fields) => {
    const kind = fields.get("kind");
    if (!isKind(kind)) return largestUploadLimit(models);
    const model = fields.get("model");
    if (model === undefined) return largestUploadLimit(models, kind);
    try {
      return uploadRule(kind, model || undefined, models).maxBytes;
    } catch {
      return 0; // refused anyway once the fields are checked; keep nothing
    }
  });
  const kind = upload.fields.get("kind");
  if (!upload.file) throw invalid('file is required: send it as the multipart field "file"');
  if (!isKind(kind)) throw invalid('kind is required and must be one of "image", "video", "audio"');
  const requestId = upload.fields.get("client_request_id");
  if (requestId !== undefined && requestId.length > 128) {
    throw invalid("client_request_id must be at most 128 characters");
  }
  const model = upload.fields.get("model") || undefined;
  const mime = await checkContent(upload.file, uploadRule(kind, model, models), model);
  return {
    status: 201,
    body: files.add(ownerOf(ctx), kind, upload.file, mime, baseUrl, Date.now()),
  };
}
