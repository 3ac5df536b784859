/** The Rivya simulator's error envelope (§4); replies and body reading are the kit's. */
import { ApiError, type Reply } from "../../../simulator-kit/http.js";
import { randomId } from "../../../simulator-kit/util.js";

export function errorReply(err: unknown): Reply {
  const e =
    err instanceof ApiError
      ? err
      : new ApiError(500, "internal_error", "the simulator hit an unexpected error");
  return {
    status: e.status,
    headers: e.headers,
    body: { error: { code: e.code, message: e.message, requestId: randomId("req") } },
  };
}
