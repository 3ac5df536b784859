/**
 * Checks made before a request reaches MCP: Host and Origin against DNS rebinding, and a
 * per-person token bucket so one agent in a loop cannot starve the others.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { TokenBucket } from "../net/token-bucket.js";
import { RPC, sendRpcError } from "./http-io.js";

const LOOPBACK_NAMES = new Set(["localhost", "127.0.0.1", "::1"]);
const WILDCARDS = new Set(["0.0.0.0", "::", ""]);

/** A host name lower-cased, IPv6 brackets removed: the form every check compares. */
const bareHost = (host: string) => host.toLowerCase().replace(/^\[|\]$/g, "");

export function isLoopbackHost(host: string): boolean {
  const h = bareHost(host);
  return LOOPBACK_NAMES.has(h) || /^127(\.\d{1,3}){3}$/.test(h);
}

export function isWildcardHost(host: string): boolean {
  return WILDCARDS.has(bareHost(host));
}

/** The hostname part of a Host header or origin host, in bareHost form. */
function hostnameOf(hostHeader: string): string | undefined {
  try {
    return bareHost(new URL(`http://${hostHeader}`).hostname);
  } catch {
    return undefined;
  }
}

export interface OriginPolicy {
  /** Hostnames (no port) accepted in Host; undefined accepts any (wildcard bind, tokens on). */
  hosts: Set<string> | undefined;
  /** Exact origins (scheme://host[:port]) accepted besides same-host ones. */
  origins: Set<string>;
}

export function originPolicy(
  bindHost: string,
  allowedHosts: readonly string[],
  allowedOrigins: readonly string[],
): OriginPolicy {
  const origins = new Set(allowedOrigins.map((o) => o.replace(/\/+$/, "").toLowerCase()));
  // Behind a wildcard bind the public name is unknown unless given; a bearer token is what
  // a rebinding page cannot forge, and wildcard binds always require tokens.
  if (isWildcardHost(bindHost) && allowedHosts.length === 0) return { hosts: undefined, origins };
  // Loopback names need no entry: checkHostAndOrigin accepts them whatever the policy.
  const hosts = new Set(allowedHosts.map(bareHost));
  if (!isWildcardHost(bindHost)) hosts.add(bareHost(bindHost));
  return { hosts, origins };
}

/** Returns why the request is refused, or undefined when Host and Origin are acceptable. */
export function checkHostAndOrigin(req: IncomingMessage, policy: OriginPolicy): string | undefined {
  const host = req.headers.host;
  const hostname = host === undefined ? undefined : hostnameOf(host);
  if (!hostname) return "missing or malformed Host header";
  if (policy.hosts && !policy.hosts.has(hostname) && !isLoopbackHost(hostname))
    return `Host '${hostname}' is not served here (add it with --allowed-host)`;
  const origin = req.headers.origin;
  if (origin === undefined) return undefined;
  if (policy.origins.has(origin.toLowerCase())) return undefined;
  let sameHost = false;
  try {
    sameHost = new URL(origin).host.toLowerCase() === host?.toLowerCase();
  } catch {
    // "null" (sandboxed pages) and garbage are not same-host.
  }
  return sameHost ? undefined : "Origin not allowed (add it with --allowed-origin)";
}

/** Per-key token bucket: `burst` requests at once, refilled at `perSecond`. */
export class RateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly perSecond: number,
    readonly burst: number,
  ) {}

  /** False when the limit is off. */
  get limits(): boolean {
    return this.perSecond > 0;
  }

  /**
   * Takes `count` tokens (all or none): 0 when the request may go ahead, else the seconds
   * until they are back.
   */
  take(key: string, count = 1): number {
    if (this.perSecond <= 0 || count <= 0) return 0;
    const now = Date.now();
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = new TokenBucket(this.burst, { tokens: this.perSecond, everyMs: 1000 }, now);
      this.buckets.set(key, bucket);
    }
    const missing = bucket.take(count, now);
    return missing === 0 ? 0 : Math.max(1, Math.ceil(missing / this.perSecond));
  }
}

/** Takes a token from the person's bucket; answers 429 and returns true when it cannot. */
export function refusedByRateLimit(
  limiter: RateLimiter,
  person: string,
  req: IncomingMessage,
  res: ServerResponse,
): boolean {
  const wait = limiter.take(person);
  if (wait === 0) return false;
  sendRpcError(req, res, 429, RPC.serverError, `Too many requests; retry in ${wait} s`, {
    "retry-after": String(wait),
  });
  return true;
}
