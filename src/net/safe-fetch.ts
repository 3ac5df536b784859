/**
 * Fetches a user-supplied URL without letting it reach into the server's own network
 * (guard.ts: https only, every address checked after DNS resolution and again on each
 * redirect), with every failure explained (fetch-errors.ts), and the body cut off at a size
 * limit while streaming so an endless response costs nothing.
 */
import type { Readable } from "node:stream";
import { request } from "undici";
import { ToolError, ToolInputError } from "../errors/tool-error.js";
import { type FetchSubject, fetchFailure, statusFailure } from "./fetch-errors.js";
import { checkUrl, DEFAULT_TIMEOUTS, type FetchGuard, guardedAgent } from "./guard.js";
import { readCapped } from "./read-capped.js";

export { isPrivateAddress } from "./address-policy.js";
export type { FetchGuard } from "./guard.js";

const MAX_REDIRECTS = 3;

export interface GuardedGet extends FetchGuard {
  signal: AbortSignal;
  /** The argument's name in messages ("url"). */
  field?: string;
  /** The next step offered when the fetch fails. */
  instead?: string;
  accept?: string;
}

/** A 2xx response whose body the caller must consume or destroy, then `close()`. */
export interface OpenedBody {
  body: Readable;
  contentType: string | undefined;
  contentLength: number | undefined;
  finalUrl: string;
  close(): Promise<void>;
}

function subjectOf(url: URL, o: GuardedGet): FetchSubject {
  return {
    field: o.field ?? "url",
    host: url.host,
    instead: o.instead ?? "upload the file as base64",
    timeouts: { ...DEFAULT_TIMEOUTS, ...o.timeouts },
  };
}

/** A failure while reading an opened body, explained unless it is ours or a cancel. */
export function bodyFailure(err: unknown, opened: OpenedBody, o: GuardedGet): unknown {
  if (o.signal.aborted || err instanceof ToolError) return err;
  return fetchFailure(err, subjectOf(new URL(opened.finalUrl), o));
}

/** Follows up to three checked redirects to a 2xx; every failure is a ToolError. */
export async function openGuarded(raw: string, o: GuardedGet): Promise<OpenedBody> {
  let url = checkUrl(raw, o, o.field, o.instead);
  const dispatcher = guardedAgent(o, o.instead);
  try {
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const res = await request(url, {
        dispatcher,
        signal: o.signal,
        headers: { accept: o.accept ?? "image/*,video/*,audio/*" },
      }).catch((err) => {
        throw o.signal.aborted ? err : fetchFailure(err, subjectOf(url, o));
      });
      const location = res.headers.location;
      if (res.statusCode >= 300 && res.statusCode < 400 && typeof location === "string") {
        await res.body.dump();
        url = checkUrl(new URL(location, url).toString(), o, o.field, o.instead);
        continue;
      }
      if (res.statusCode < 200 || res.statusCode >= 300) {
        await res.body.dump();
        throw statusFailure(res.statusCode, subjectOf(url, o));
      }
      const type = res.headers["content-type"];
      const length = Number(res.headers["content-length"]);
      return {
        body: res.body,
        contentType: typeof type === "string" ? type : undefined,
        contentLength: Number.isSafeInteger(length) ? length : undefined,
        finalUrl: url.toString(),
        close: () => dispatcher.close(),
      };
    }
    throw new ToolInputError(`${o.field ?? "url"} redirected too many times.`);
  } catch (err) {
    await dispatcher.close();
    throw err;
  }
}

export interface SafeFetchOptions extends GuardedGet {
  maxBytes: number;
}

export interface FetchedBody {
  bytes: Buffer;
  contentType: string | undefined;
  finalUrl: string;
}

export async function safeFetch(raw: string, opts: SafeFetchOptions): Promise<FetchedBody> {
  const opened = await openGuarded(raw, opts);
  try {
    const tooLarge = () =>
      new ToolInputError(
        `The file at ${opts.field ?? "url"} is larger than ${opts.maxBytes} bytes, the limit for this model. Use a smaller file, or resize it and upload it as base64.`,
      );
    if (opened.contentLength !== undefined && opened.contentLength > opts.maxBytes) {
      opened.body.destroy();
      throw tooLarge();
    }
    const bytes = await readCapped(opened.body, opts.maxBytes, tooLarge).catch((err) => {
      throw bodyFailure(err, opened, opts);
    });
    return { bytes, contentType: opened.contentType, finalUrl: opened.finalUrl };
  } finally {
    await opened.close();
  }
}
