/**
 * Why a fetch of someone's URL failed, in words an agent can act on. A link that does not
 * resolve, refuses, hangs or breaks is the caller's problem to fix or wait out, never an
 * "internal error" with a stack trace in the log.
 */

import { ToolError, ToolInputError } from "../errors/tool-error.js";
import { classifyTransportError } from "./transport-failure.js";

/** What is being fetched and what to do instead, e.g. "upload the file as base64". */
export interface FetchSubject {
  /** e.g. "url" or "the video URL". */
  field: string;
  host: string;
  instead: string;
  timeouts: { connectMs: number; headersMs: number; bodyMs: number };
}

const TLS_CODE = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)/;

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

/** Turns an undici or DNS failure into a ToolError; a ToolError (the address guard) passes. */
export function fetchFailure(err: unknown, s: FetchSubject): ToolError {
  const own = err instanceof ToolError ? err : (err as { cause?: unknown })?.cause;
  if (own instanceof ToolError) return own;
  const { code } = classifyTransportError(err);
  const where = `${s.field} (${s.host})`;
  const unavailable = (what: string) =>
    new ToolError(
      `${where} ${what}. Try again later, or ${s.instead}.`,
      "upstream_unavailable",
      true,
    );
  switch (code) {
    case "ENOTFOUND":
      return new ToolInputError(
        `The host in ${where} was not found (no DNS record). Check the link for typos, or ${s.instead}.`,
      );
    case "EAI_AGAIN":
      return unavailable("could not be looked up (DNS did not answer)");
    case "ECONNREFUSED":
      return unavailable("refused the connection: nothing is serving that address");
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return unavailable("cannot be reached from this server's network");
    case "UND_ERR_CONNECT_TIMEOUT":
      return unavailable(`did not accept a connection within ${seconds(s.timeouts.connectMs)}`);
    case "UND_ERR_HEADERS_TIMEOUT":
    case "ETIMEDOUT":
      return unavailable(`did not answer within ${seconds(s.timeouts.headersMs)}`);
    case "UND_ERR_BODY_TIMEOUT":
      return unavailable(`stopped sending for ${seconds(s.timeouts.bodyMs)} mid-file`);
    case "ECONNRESET":
    case "UND_ERR_SOCKET":
    case "UND_ERR_RES_CONTENT_LENGTH_MISMATCH":
      return unavailable("closed the connection before the whole file arrived");
  }
  if (TLS_CODE.test(code)) {
    return new ToolInputError(
      `${where} has a TLS certificate this server cannot verify (${code}). Use a link with a valid certificate, or ${s.instead}.`,
    );
  }
  return unavailable(`could not be fetched (${code})`);
}

/** A non-2xx answer: 4xx is the link's problem, 429 and 5xx may pass. */
export function statusFailure(status: number, s: FetchSubject): ToolError {
  const where = `${s.field} (${s.host})`;
  if (status === 429 || status >= 500) {
    return new ToolError(
      `${where} answered HTTP ${status}: the site is busy or failing. Try again later, or ${s.instead}.`,
      "upstream_unavailable",
      true,
    );
  }
  const why =
    status === 404 || status === 410
      ? "there is no file at that address"
      : status === 401 || status === 403
        ? "the file is not public"
        : "the site refused the request";
  return new ToolInputError(
    `${where} answered HTTP ${status}: ${why}. Check the link, or ${s.instead}.`,
  );
}
