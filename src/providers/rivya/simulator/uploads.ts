/** `POST /api/v1/files`: read the multipart body, pick the rule, check the bytes, store. */

import { MEDIA_KINDS } from "../../../catalog/files-policy.js";
import { ApiError, invalid, type Reply } from "../../../simulator-kit/http.js";
import { readMultipart } from "../../../simulator-kit/multipart.js";
import { ownerOf, type RouteContext } from "./context.js";
import { checkContent, findUploadRule, isKind } from "./files.js";

const KIND_REQUIRED = `kind is required and must be one of ${MEDIA_KINDS.map((k) => `"${k}"`).join(", ")}`;

export async function uploadFile(ctx: RouteContext): Promise<Reply> {
  const { models, uploadLimits, files } = ctx.state;
  const upload = await readMultipart(ctx.req, (fields) => {
    const kind = fields.get("kind");
    if (!isKind(kind)) return uploadLimits.any;
    const model = fields.get("model");
    if (model === undefined) return uploadLimits.byKind[kind];
    const rule = findUploadRule(kind, model || undefined, models);
    // A refused rule is reported once the fields are checked; keep none of the file.
    return rule instanceof ApiError ? 0 : rule.maxBytes;
  });
  const kind = upload.fields.get("kind");
  if (!upload.file) throw invalid('file is required: send it as the multipart field "file"');
  if (!isKind(kind)) throw invalid(KIND_REQUIRED);
  const requestId = upload.fields.get("client_request_id");
  if (requestId !== undefined && requestId.length > 128) {
    throw invalid("client_request_id must be at most 128 characters");
  }
  const model = upload.fields.get("model") || undefined;
  const rule = findUploadRule(kind, model, models);
  if (rule instanceof ApiError) throw rule;
  const mime = await checkContent(upload.file, rule, model);
  return {
    status: 201,
    body: await files.add(ownerOf(ctx), kind, upload.file, mime, Date.now()),
  };
}
