/**
 * Fetches a user-supplied URL without letting it reach into the server's own network:
 * https only, every address checked after DNS resolution (and again on each redirect,
 * since each hop opens its own connection), and the body cut off at a size limit while
 * streaming so an endless response costs nothing.
 */
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { BlockList, isIP } from "node:net";
import { Agent, request } from "undici";
import { ToolError, ToolInputError } from "../tools/errors.js";
import { readCapped } from "./read-capped.js";

const blocked = new BlockList();
for (const [net, bits] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const)
  blocked.addSubnet(net, bits, "ipv4");
for (const [net, bits] of [
  ["::", 128],
  ["::1", 128],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
  // NAT64 and 6to4 embed an IPv4 address that may itself be private.
  ["64:ff9b::", 96],
  ["2002::", 16],
] as const) {
  blocked.addSubnet(net, bits, "ipv6");
}

/** Private, loopback, link-local (incl. cloud metadata), multicast and reserved addresses. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return blocked.check(address, "ipv4");
  if (family !== 6) return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1]) return blocked.check(mapped[1], "ipv4");
  return blocked.check(address, "ipv6");
}

const refused = (what: string) =>
  new ToolInputError(
    `${what} is a private, loopback or reserved address; only public https URLs can be fetched. Upload the file as base64 instead.`,
  );

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

type Resolver = (
  hostname: string,
  options: { all: true },
  callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

/** A connect-time lookup that refuses names resolving to any private address. */
function guardedLookup(resolve: Resolver, isPrivate: (address: string) => boolean) {
  return (hostname: string, options: { all?: boolean }, callback: LookupCallback): void => {
    resolve(hostname, { all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      const bad = addresses.find((a) => isPrivate(a.address));
      if (bad)
        return callback(
          refused(`${hostname} resolves to ${bad.address}, which`) as NodeJS.ErrnoException,
          [],
        );
      if (options.all) return callback(null, addresses);
      const first = addresses[0];
      return first
        ? callback(null, first.address, first.family)
        : callback(new Error(`no address for ${hostname}`), []);
    });
  };
}

const MAX_REDIRECTS = 3;

export interface SafeFetchOptions {
  maxBytes: number;
  blockPrivate: boolean;
  signal: AbortSignal;
  /** For tests with self-signed loopback servers. */
  tls?: { ca?: string };
  /** Tests only: resolve names without real DNS (results are still checked). */
  lookup?: Resolver;
  /** Tests only: which addresses count as private (default isPrivateAddress). */
  isPrivate?: (address: string) => boolean;
}

export interface FetchedBody {
  bytes: Buffer;
  contentType: string | undefined;
  finalUrl: string;
}

function checkUrl(raw: string, blockPrivate: boolean, isPrivate = isPrivateAddress): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ToolInputError(
      `url '${raw.slice(0, 200)}' is not a valid URL; give a full https:// address.`,
    );
  }
  if (url.protocol !== "https:") {
    throw new ToolInputError(
      `url must use https (got ${url.protocol}); for a local file use path, or send base64.`,
    );
  }
  if (url.username || url.password) throw new ToolInputError("url must not contain credentials.");
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (blockPrivate && (isIP(host) ? isPrivate(host) : /^localhost$|\.localhost$/i.test(host))) {
    throw refused(host);
  }
  return url;
}

export async function safeFetch(raw: string, opts: SafeFetchOptions): Promise<FetchedBody> {
  const isPrivate = opts.isPrivate ?? isPrivateAddress;
  const lookup = guardedLookup(opts.lookup ?? (dnsLookup as Resolver), isPrivate);
  const dispatcher = new Agent({
    connect: {
      ...(opts.blockPrivate ? { lookup } : {}),
      ...opts.tls,
      timeout: 10_000,
    },
    headersTimeout: 15_000,
    bodyTimeout: 15_000,
  });
  try {
    let url = checkUrl(raw, opts.blockPrivate, isPrivate);
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const res = await request(url, {
        dispatcher,
        signal: opts.signal,
        headers: { accept: "image/*,video/*,audio/*" },
      });
      const location = res.headers.location;
      if (res.statusCode >= 300 && res.statusCode < 400 && typeof location === "string") {
        await res.body.dump();
        url = checkUrl(new URL(location, url).toString(), opts.blockPrivate, isPrivate);
        continue;
      }
      if (res.statusCode < 200 || res.statusCode >= 300) {
        await res.body.dump();
        throw new ToolError(
          `Fetching the url failed with HTTP ${res.statusCode}. Check the link, or send the file as base64.`,
          "invalid_request",
          false,
        );
      }
      const tooLarge = () =>
        new ToolInputError(
          `The file at url is larger than ${opts.maxBytes} bytes, the limit for this model.`,
        );
      const bytes = await readCapped(res.body, opts.maxBytes, tooLarge);
      const type = res.headers["content-type"];
      return {
        bytes,
        contentType: typeof type === "string" ? type : undefined,
        finalUrl: url.toString(),
      };
    }
    throw new ToolInputError("url redirected too many times.");
  } catch (err) {
    // undici wraps the lookup refusal; surface our own message.
    const cause = (err as { cause?: unknown }).cause;
    if (cause instanceof ToolError) throw cause;
    throw err;
  } finally {
    await dispatcher.close();
  }
}
