/**
 * Hosted-mode settings: their defaults, and turning the command line's strings into them
 * with messages that say which flag was wrong.
 */
import { isLoopbackHost } from "./guards.js";

export interface HttpOptions {
  port: number;
  host: string;
  /** A fresh McpServer per request: for replicas behind a load balancer without sticky routing. */
  stateless: boolean;
  /** Extra Host names accepted (the public name behind a proxy). */
  allowedHosts: string[];
  /** Origins accepted besides same-host ones (browser-based clients). */
  allowedOrigins: string[];
  /** Fits a 10 MB image sent as base64 (≈13.4 MiB) plus the JSON around it. */
  maxBodyBytes: number;
  /**
   * Requests per second per person; 0 turns the limit off. Unset: DEFAULT_RATE per token,
   * and none for the open local user (one person on loopback has nobody to starve).
   */
  ratePerSecond?: number;
  /** Unset: three seconds' worth. */
  rateBurst?: number;
  sessionIdleMs: number;
  maxSessions: number;
  /** So one person's clients cannot take every session. */
  maxSessionsPerPerson: number;
  sweepMs: number;
  /** How long SIGTERM waits for running calls before closing them. */
  shutdownGraceMs: number;
  /** Where providers can reach this server for callbacks (no trailing slash). */
  publicUrl?: string;
}

/** The rate limit per token when --rate-limit is not given. */
export const DEFAULT_RATE = 20;

export const HTTP_DEFAULTS: Omit<HttpOptions, "port" | "host"> = {
  stateless: false,
  allowedHosts: [],
  allowedOrigins: [],
  maxBodyBytes: 16 * 1024 * 1024,
  sessionIdleMs: 30 * 60_000,
  maxSessions: 1000,
  maxSessionsPerPerson: 50,
  sweepMs: 30_000,
  shutdownGraceMs: 10_000,
};

/** The string flags cli.ts collects for hosted mode (parseArgs values). */
export interface HttpFlags {
  stateless?: boolean | undefined;
  "tokens-file"?: string | undefined;
  "allowed-host"?: string[] | undefined;
  "allowed-origin"?: string[] | undefined;
  "max-body-mb"?: string | undefined;
  "rate-limit"?: string | undefined;
  "session-idle-seconds"?: string | undefined;
  "max-sessions"?: string | undefined;
  "max-sessions-per-person"?: string | undefined;
  "public-url"?: string | undefined;
}

function positive(flag: string, raw: string | undefined, allowZero = false): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0 || (!allowZero && n === 0))
    throw new Error(
      `--${flag} must be a ${allowZero ? "non-negative" : "positive"} number, got '${raw}'`,
    );
  return n;
}

export function httpOptionsFrom(flags: HttpFlags, port: number, host: string): HttpOptions {
  const bodyMb = positive("max-body-mb", flags["max-body-mb"]);
  const rate = positive("rate-limit", flags["rate-limit"], true);
  const idle = positive("session-idle-seconds", flags["session-idle-seconds"]);
  const max = positive("max-sessions", flags["max-sessions"]);
  const perPerson = positive("max-sessions-per-person", flags["max-sessions-per-person"]);
  const opts: HttpOptions = {
    ...HTTP_DEFAULTS,
    port,
    host,
    stateless: flags.stateless ?? false,
    allowedHosts: flags["allowed-host"] ?? [],
    allowedOrigins: flags["allowed-origin"] ?? [],
    ...(bodyMb === undefined ? {} : { maxBodyBytes: Math.round(bodyMb * 1024 * 1024) }),
    ...(rate === undefined ? {} : { ratePerSecond: rate }),
    ...(idle === undefined
      ? {}
      : { sessionIdleMs: idle * 1000, sweepMs: Math.min(30_000, idle * 500) }),
    ...(max === undefined ? {} : { maxSessions: Math.floor(max) }),
    ...(perPerson === undefined
      ? {}
      : { maxSessionsPerPerson: Math.max(1, Math.floor(perPerson)) }),
  };
  const publicUrl = flags["public-url"];
  if (publicUrl !== undefined) opts.publicUrl = checkPublicUrl(publicUrl);
  return opts;
}

/** An absolute https URL (http only for a loopback host), without a trailing slash. */
function checkPublicUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(
      `--public-url must be an absolute URL such as https://mcp.example.com, got '${value}'`,
    );
  }
  const plainOk = url.protocol === "http:" && isLoopbackHost(url.hostname);
  if (url.protocol !== "https:" && !plainOk)
    throw new Error(`--public-url must use https (plain http only on loopback), got '${value}'`);
  if (url.search || url.hash)
    throw new Error(`--public-url takes no query or fragment, got '${value}'`);
  return url.href.replace(/\/+$/, "");
}

/** Without tokens anyone who can reach the port spends the server's credits. */
export function assertSafeBind(host: string, hasTokens: boolean): void {
  if (!hasTokens && !isLoopbackHost(host))
    throw new Error(
      `refusing to listen on ${host} without --tokens-file: anyone who can reach it could spend your credits. Create tokens with 'rivya-mcp token create --name NAME --tokens-file FILE', or bind to 127.0.0.1.`,
    );
}

/** The limit in force: explicit settings win; by default tokens get DEFAULT_RATE, local none. */
export function rateFor(opts: HttpOptions, openLocalUser: boolean) {
  const perSecond = opts.ratePerSecond ?? (openLocalUser ? 0 : DEFAULT_RATE);
  return { perSecond, burst: opts.rateBurst ?? Math.max(1, perSecond * 3) };
}
