/** Uploaded files, scoped to the account that uploaded them, plus their public CDN bytes. */
import type { MediaKind } from "../catalog/types.js";
import type { Account } from "./accounts.js";
import type { UploadedPart } from "./multipart.js";
import { iso, randomId } from "./util.js";

export interface PublicFile {
  id: string;
  object: "file";
  url: string;
  kind: MediaKind;
  name: string;
  mime_type: string;
  size_bytes: number;
  created_at: string;
  duration_seconds?: number;
  duration_token?: string;
}

interface StoredFile {
  meta: PublicFile;
  owner: Account;
  bytes: Buffer;
}

export class FileStore {
  private readonly byId = new Map<string, StoredFile>();

  get count(): number {
    return this.byId.size;
  }

  add(
    owner: Account,
    kind: MediaKind,
    upload: UploadedPart,
    mime: string,
    baseUrl: string,
    now: number,
  ): PublicFile {
    const id = randomId("file");
    const name =
      upload.filename.replace(/\p{Cc}/gu, "").slice(-200) || `upload.${mime.split("/")[1]}`;
    const meta: PublicFile = {
      id,
      object: "file",
      url: `${baseUrl}/cdn/files/${id}/${encodeURIComponent(name)}`,
      kind,
      name,
      mime_type: mime,
      size_bytes: upload.size,
      created_at: iso(now),
    };
    if (kind !== "image") {
      // Duration is not measured; any plausible value plus a token to echo back will do.
      meta.duration_seconds = 5;
      meta.duration_token = randomId("dtok");
    }
    this.byId.set(id, { meta, owner, bytes: upload.bytes });
    return meta;
  }

  /** Metadata for the owner; another account's file is reported as missing. */
  meta(id: string, owner: Account): PublicFile | undefined {
    const stored = this.byId.get(id);
    return stored && stored.owner === owner ? { ...stored.meta } : undefined;
  }

  /** Public CDN download (no auth, like a signed URL). */
  download(id: string): { mime: string; bytes: Buffer } | undefined {
    const stored = this.byId.get(id);
    return stored && { mime: stored.meta.mime_type, bytes: stored.bytes };
  }
}
