/** Rendering replies and errors of the EvoLink simulator, and binding it to loopback. */
import type { Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  ApiError,
  type Reply as SimReply,
  sendReply as sendSimReply,
} from "../../../simulator-kit/http.js";
import { FilesError } from "./files.js";
import { SimRequestError } from "./validate.js";

/** A simulator reply (the kit's), plus whether a create may be dropped by the fault. */
export interface Reply extends SimReply {
  droppable?: boolean;
}

/** Files API errors keep their own shape: `{success:false, code, msg}` with HTTP 400. */
export async function filesReply(run: () => Promise<Reply>): Promise<Reply> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof SimRequestError) throw err;
    const message = err instanceof ApiError ? err.message : "upload failed";
    const e = err instanceof FilesError ? err : new FilesError(40000, message);
    return { status: 400, body: { success: false, code: e.code, msg: e.message } };
  }
}

/** The §9 envelope: `{error:{code, message, type, param?}}`. */
export function errorReply(err: unknown): Reply {
  const e =
    err instanceof SimRequestError
      ? err
      : new SimRequestError(
          500,
          "internal_error",
          "api_error",
          "The simulator hit an unexpected error",
        );
  const error = {
    code: e.code,
    message: e.message,
    type: e.type,
    ...(e.param ? { param: e.param } : {}),
  };
  return { status: e.status, headers: e.headers, body: { error } };
}

/** Writes the reply (both simulators answer the same way; EvoLink has no HEAD route). */
export function sendReply(res: ServerResponse, reply: Reply): void {
  sendSimReply(res, reply, false);
}

export function listenLoopback(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
