/**
 * Low-level request/response helpers for the HTTP transport: JSON-RPC shaped error
 * answers (what MCP clients expect to parse) and a body reader that stops at a limit
 * instead of buffering whatever a client chooses to send.
 */
import type { IncomingMessage, ServerResponse } from "node:http";

/** JSON-RPC codes used for transport-level refusals. */
export const RPC = {
  parseError: -32700,
  invalidRequest: -32600,
  serverError: -32000,
  sessionNotFound: -32001,
  internalError: -32603,
} as const;

/**
 * Answers with `{"jsonrpc":"2.0","error":{code,message},"id":null}`. When the request body
 * was not read, the connection is closed after the answer: draining an unwanted upload
 * would cost us its bandwidth, and leaving it unread would corrupt a kept-alive socket.
 */
export function sendRpcError(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  code: number,
  message: string,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify({ jsonrpc: "2.0", error: { code, message }, id: null });
  const unread = !req.complete;
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(body),
    ...(unread ? { connection: "close" } : {}),
    ...headers,
  });
  res.end(body);
  if (unread) {
    // Stop reading the rest; give the answer a moment to reach the client before the
    // socket goes, so it sees the status rather than a reset.
    req.pause();
    res.once("finish", () => setTimeout(() => req.socket.destroy(), 50).unref());
  }
}

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(body),
    "cache-control": "no-store",
  });
  res.end(body);
}

export type BodyResult = { ok: true; text: string } | { ok: false; tooLarge: boolean };

/**
 * Reads the body as UTF-8 up to `limit` bytes. A declared Content-Length over the limit is
 * refused before reading anything; otherwise reading stops at the first chunk that crosses
 * it, so at most one socket chunk past the limit is ever held.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit)
    return Promise.resolve({ ok: false, tooLarge: true });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (result: BodyResult) => {
      req.off("data", onData).off("end", onEnd).off("error", onError).off("aborted", onError);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        chunks.length = 0;
        req.pause();
        return done({ ok: false, tooLarge: true });
      }
      chunks.push(chunk);
    };
    const onEnd = () => done({ ok: true, text: Buffer.concat(chunks, size).toString("utf8") });
    const onError = () => done({ ok: false, tooLarge: false });
    req.on("data", onData).on("end", onEnd).on("error", onError).on("aborted", onError);
  });
}
