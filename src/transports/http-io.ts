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

/** A body the client is still sending after we answered is discarded up to this much. */
const DRAIN_BYTES = 32 * 1024 * 1024;
/** ...and for this long; past either bound the socket is cut. */
const DRAIN_MS = 10_000;

/**
 * Whether the request carries a body. Node only marks a bodiless request complete after
 * the 'request' event, so an answer given at once must not take `!req.complete` to mean
 * "unread body": only what the request declares counts.
 */
export function declaresBody(req: IncomingMessage): boolean {
  return (
    Number(req.headers["content-length"] ?? 0) > 0 || req.headers["transfer-encoding"] !== undefined
  );
}

/**
 * Answers with `{"jsonrpc":"2.0","error":{code,message},"id":null}`. When the request body
 * is still arriving, it is read and discarded (up to DRAIN_BYTES / DRAIN_MS) after the
 * answer: closing a socket with unread data makes the kernel send a reset, and the client
 * then sees "connection reset" instead of our status. A body declared larger than that is
 * not worth reading: the answer says `connection: close` and the socket goes.
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
  const unread = declaresBody(req) && !req.complete;
  const drain = unread && Number(req.headers["content-length"] ?? 0) <= DRAIN_BYTES;
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(body),
    ...(unread && !drain ? { connection: "close" } : {}),
    ...headers,
  });
  res.end(body);
  if (drain) res.once("finish", () => discardRest(req));
}

/** Reads what is left of the body into nothing, within the drain bounds. */
function discardRest(req: IncomingMessage): void {
  let seen = 0;
  const cut = () => req.socket.destroy();
  const timer = setTimeout(cut, DRAIN_MS).unref();
  req.on("data", (chunk: Buffer) => {
    seen += chunk.length;
    if (seen > DRAIN_BYTES) cut();
  });
  req.once("end", () => clearTimeout(timer));
  req.once("close", () => clearTimeout(timer));
  // readBody may have paused it; Node's own discard skips a request we were consuming.
  req.resume();
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
