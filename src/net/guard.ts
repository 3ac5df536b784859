/**
 * The guard every fetch made on someone else's say-so goes through (reference URLs, result
 * videos): the URL is checked before connecting (https, no credentials, no private literal
 * address) and a dispatcher checks every resolved address at connect time, so a redirect or
 * a DNS answer cannot steer the request into the server's own network.
 */
import { lookup as dnsLookup } from "node:dns";
import { isIP } from "node:net";
import { Agent } from "undici";
import { ToolInputError } from "../errors/tool-error.js";
import {
  guardedLookup,
  isPrivateAddress,
  type Resolver,
  refusedAddress,
} from "./address-policy.js";

export interface FetchGuard {
  /** Refuse private, loopback and reserved addresses (off only in tests). */
  blockPrivate: boolean;
  /**
   * Origins trusted as much as the upstream API itself (e.g. the simulator on loopback):
   * their URLs skip the https and address rules. Redirects away from them are checked.
   */
  trustedOrigins?: readonly string[];
  /** For tests with self-signed loopback servers. */
  tls?: { ca?: string };
  /** Tests only: resolve names without real DNS (results are still checked). */
  lookup?: Resolver;
  /** Tests only: which addresses count as private (default isPrivateAddress). */
  isPrivate?: (address: string) => boolean;
  /** Defaults 10 s to connect, 15 s for headers and between body chunks. */
  timeouts?: { connectMs?: number; headersMs?: number; bodyMs?: number };
}

export const DEFAULT_TIMEOUTS = { connectMs: 10_000, headersMs: 15_000, bodyMs: 15_000 };

const isTrusted = (url: URL, g: FetchGuard) => g.trustedOrigins?.includes(url.origin) ?? false;

/**
 * Parses and checks one URL (the first, or a redirect's target); `field` names it in errors
 * and `instead` is the way round a refusal.
 */
export function checkUrl(
  raw: string,
  g: FetchGuard,
  field = "url",
  instead = "for a local file use path, or send base64",
): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ToolInputError(
      `${field} '${raw.slice(0, 200)}' is not a valid URL; give a full https:// address.`,
    );
  }
  if (isTrusted(url, g)) return url;
  if (url.protocol !== "https:") {
    throw new ToolInputError(`${field} must use https (got ${url.protocol}); ${instead}.`);
  }
  if (url.username || url.password)
    throw new ToolInputError(`${field} must not contain credentials.`);
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const isPrivate = g.isPrivate ?? isPrivateAddress;
  if (g.blockPrivate && (isIP(host) ? isPrivate(host) : /^localhost$|\.localhost$/i.test(host))) {
    throw refusedAddress(host, instead);
  }
  return url;
}

/** A dispatcher whose every connection is checked; the caller closes it. */
export function guardedAgent(g: FetchGuard, instead?: string): Agent {
  const t = { ...DEFAULT_TIMEOUTS, ...g.timeouts };
  const resolver = g.lookup ?? (dnsLookup as Resolver);
  const guarded = guardedLookup(resolver, g.isPrivate ?? isPrivateAddress, instead);
  const open = guardedLookup(resolver, () => false);
  const trustedHosts = new Set((g.trustedOrigins ?? []).map((o) => new URL(o).hostname));
  const lookup: typeof open = (host, options, callback) =>
    (g.blockPrivate && !trustedHosts.has(host) ? guarded : open)(host, options, callback);
  return new Agent({
    connect: { lookup, ...g.tls, timeout: t.connectMs },
    headersTimeout: t.headersMs,
    bodyTimeout: t.bodyMs,
  });
}
