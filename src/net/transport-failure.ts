/**
 * Classifies a failure that happened before an HTTP response could be read: did the request
 * possibly reach the server (`sent`), or certainly not (`connect`)? That distinction is what
 * makes it safe or unsafe to resend a POST that carries no idempotency key.
 */

/** Failures that happen while opening the connection: nothing was sent. */
const CONNECT_PHASE = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EADDRNOTAVAIL",
  "UND_ERR_CONNECT_TIMEOUT",
]);

/** TLS refusals: the handshake failed, so no request was written; retrying will not help. */
const TLS_PHASE = new Set([
  "ERR_TLS_CERT_ALTNAME_INVALID",
  "CERT_HAS_EXPIRED",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "ERR_SSL_WRONG_VERSION_NUMBER",
]);

/** Failures after the request may have gone out (dropped or timed-out mid-exchange). */
const SENT_PHASE = new Set([
  "ECONNRESET",
  "EPIPE",
  "ECONNABORTED",
  "ETIMEDOUT",
  "UND_ERR_SOCKET",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "UND_ERR_REQ_CONTENT_LENGTH_MISMATCH",
  "UND_ERR_RES_CONTENT_LENGTH_MISMATCH",
]);

const TIMEOUTS = new Set([
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "ETIMEDOUT",
]);

export interface TransportFailure {
  /** The low-level code (e.g. `ECONNRESET`, `UND_ERR_SOCKET`), or `unknown`. */
  code: string;
  phase: "connect" | "sent";
  /** Worth another attempt (a known network hiccup, not a TLS or programming error). */
  transient: boolean;
  timeout: boolean;
}

function lowLevelCode(err: unknown): string | undefined {
  if (typeof err !== "object" || err === null) return undefined;
  const e = err as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof e.code === "string") return e.code;
  // Happy-eyeballs connects report an AggregateError holding one error per address tried.
  if (Array.isArray(e.errors)) return lowLevelCode(e.errors[0]);
  return e.cause === undefined ? undefined : lowLevelCode(e.cause);
}

export function classifyTransportError(err: unknown): TransportFailure {
  const code = lowLevelCode(err) ?? "unknown";
  const connect = CONNECT_PHASE.has(code);
  return {
    code,
    phase: connect || TLS_PHASE.has(code) ? "connect" : "sent",
    transient: connect || SENT_PHASE.has(code),
    timeout: TIMEOUTS.has(code),
  };
}
