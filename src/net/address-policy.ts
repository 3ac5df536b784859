/**
 * Which network addresses a fetch on someone else's behalf may reach: never the server's own
 * network (private, loopback, link-local incl. cloud metadata, multicast, reserved), and
 * never an IPv6 form that embeds such an IPv4 address.
 */
import type { LookupAddress } from "node:dns";
import { BlockList, isIP } from "node:net";
import { ToolInputError } from "../errors/tool-error.js";

// Two lists: a BlockList matches an IPv4 address against IPv4-mapped IPv6 rules, so one list
// holding ::ffff:0:0/96 would refuse every IPv4 address.
const blockedV4 = new BlockList();
const blockedV6 = new BlockList();
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
  blockedV4.addSubnet(net, bits, "ipv4");
for (const [net, bits] of [
  // IPv4-compatible (also holds :: and ::1), IPv4-mapped and IPv4-translated forms: a socket
  // given one of these talks IPv4 to the embedded address, so none is ever fetched directly
  // (a public host is reached by its name or plain IPv4 address instead).
  ["::", 96],
  ["::ffff:0:0", 96],
  ["::ffff:0:0:0", 96],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
  // NAT64 (well-known and local-use) and 6to4 embed an IPv4 address that may be private.
  ["64:ff9b::", 96],
  ["64:ff9b:1::", 48],
  ["2002::", 16],
] as const) {
  blockedV6.addSubnet(net, bits, "ipv6");
}

/** True for any address a guarded fetch must not connect to (and for anything not an IP). */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return blockedV4.check(address, "ipv4");
  if (family !== 6) return true;
  return blockedV6.check(address, "ipv6");
}

export const UPLOAD_INSTEAD = "upload the file as base64 instead";

export const refusedAddress = (what: string, instead = UPLOAD_INSTEAD) =>
  new ToolInputError(
    `${what} is a private, loopback or reserved address; only public https URLs can be fetched. ${instead[0]?.toUpperCase()}${instead.slice(1)}.`,
  );

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/** `dns.lookup` with `{ all: true }`; injectable so tests resolve names without DNS. */
export type Resolver = (
  hostname: string,
  options: { all: true },
  callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

/** A connect-time lookup that refuses names resolving to any private address. */
export function guardedLookup(
  resolve: Resolver,
  isPrivate: (address: string) => boolean,
  instead = UPLOAD_INSTEAD,
) {
  return (
    hostname: string,
    options: { all?: boolean | undefined },
    callback: LookupCallback,
  ): void => {
    resolve(hostname, { all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      const bad = addresses.find((a) => isPrivate(a.address));
      if (bad)
        return callback(
          refusedAddress(
            `${hostname} resolves to ${bad.address}, which`,
            instead,
          ) as NodeJS.ErrnoException,
          [],
        );
      if (options.all) return callback(null, addresses);
      const first = addresses[0];
      return first
        ? callback(null, first.address, first.family)
        : callback(
            Object.assign(new Error(`no address for ${hostname}`), { code: "ENOTFOUND" }),
            [],
          );
    });
  };
}
