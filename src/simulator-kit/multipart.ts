/**
 * Streaming multipart reader for the simulators' upload routes, built on busboy. The file part
 * is kept only up to a byte limit; past it the bytes are counted and discarded, so an
 * oversized upload costs no memory but the client still gets a clean 400 reply.
 */
import type { IncomingMessage } from "node:http";
import busboy from "busboy";
import { invalid } from "./http.js";

export interface UploadedPart {
  /** Name the client gave the file (busboy strips any path). */
  filename: string;
  /** The kept bytes: the whole file unless `size` exceeded the limit. */
  bytes: Buffer;
  /** Real size, counted even past the limit. */
  size: number;
}

export interface ParsedUpload {
  fields: Map<string, string>;
  file: UploadedPart | null;
}

/**
 * `limitFor` sees the fields that arrived before the file part (a client that sends a
 * field such as Rivya's `kind` first gets a tighter limit applied while streaming).
 */
export function readMultipart(
  req: IncomingMessage,
  limitFor: (fields: ReadonlyMap<string, string>) => number,
): Promise<ParsedUpload> {
  return new Promise((resolve, reject) => {
    let bb: busboy.Busboy;
    try {
      bb = busboy({
        headers: req.headers,
        defParamCharset: "utf8",
        limits: { files: 1, fields: 10, parts: 12, fieldSize: 1024 },
      });
    } catch {
      req.resume();
      req.once("end", () => reject(invalid("send multipart/form-data with a file part")));
      return;
    }
    const fields = new Map<string, string>();
    const fileDone: Promise<void>[] = [];
    let file: UploadedPart | null = null;
    let problem: string | null = null;

    bb.on("field", (name, value, info) => {
      if (info.valueTruncated) problem ??= `${name} is too long`;
      if (!fields.has(name)) fields.set(name, value);
    });
    bb.on("file", (name, stream, info) => {
      if (name !== "file") {
        problem ??= `unexpected file field ${name}; send the file as the field "file"`;
        stream.resume();
        return;
      }
      const limit = limitFor(fields);
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size <= limit) chunks.push(chunk);
      });
      fileDone.push(
        new Promise((done) =>
          stream.once("close", () => {
            file = { filename: info.filename ?? "", bytes: Buffer.concat(chunks), size };
            done();
          }),
        ),
      );
    });
    bb.on("filesLimit", () => {
      problem ??= "send exactly one file per upload";
    });
    bb.on("fieldsLimit", () => {
      problem ??= "too many form fields";
    });
    bb.on("partsLimit", () => {
      problem ??= "too many form parts";
    });
    bb.once("error", () => {
      req.unpipe(bb);
      req.resume();
      reject(invalid("the multipart body is malformed"));
    });
    bb.once("close", () => {
      void Promise.all(fileDone).then(() => {
        if (problem) reject(invalid(problem));
        else resolve({ fields, file });
      });
    });
    req.once("error", reject);
    req.pipe(bb);
  });
}
