// The outbound IP deny-list (Sydent's ip.blacklist / ip.whitelist): every address the federation
// client or the deny-list fetch is about to connect to is checked here first.
import ipaddr from "ipaddr.js";
import type { IPv4, IPv6 } from "ipaddr.js";

/**
 * Used when `ip.blacklist` is empty: Sydent's built-in list plus 0.0.0.0/8 and ::/128, which its
 * config comment promises but its code never added.
 */
export const DEFAULT_BLACKLIST: readonly string[] = [
  "0.0.0.0/8",
  "127.0.0.0/8",
  "10.0.0.0/8",
  "172.16.0.0/12",
  "192.168.0.0/16",
  "100.64.0.0/10",
  "192.0.0.0/24",
  "169.254.0.0/16",
  "192.88.99.0/24",
  "198.18.0.0/15",
  "192.0.2.0/24",
  "198.51.100.0/24",
  "203.0.113.0/24",
  "224.0.0.0/4",
  "::/128",
  "::1/128",
  "fe80::/10",
  "fc00::/7",
  "2001:db8::/32",
  "ff00::/8",
  "fec0::/10",
];

export type DenyVerdict =
  | { allowed: true; whitelistedBy?: string; blacklistedBy?: string }
  | { allowed: false; blacklistedBy: string };

export interface IpDenyList {
  /** Whether the address (IPv4 or IPv6 text) may be connected to, and which entries decided. */
  check(address: string): DenyVerdict;
}

interface Range {
  /** The config entry this range comes from, as written there (an IPv4 entry for its v6 forms). */
  entry: string;
  v4?: [IPv4, number];
  v6?: [IPv6, number];
}

/**
 * Builds the deny-list from the two config lists (CIDR text). Each IPv4 range also covers its
 * IPv4-compatible (::a.b.c.d), IPv4-mapped (::ffff:a.b.c.d) and 6to4 (2002:aabb:ccdd::) forms,
 * so an IPv6 spelling of a blocked IPv4 address is blocked too.
 */
export function createIpDenyList(blacklist: readonly string[], whitelist: readonly string[]): IpDenyList {
  const black = ranges(blacklist.length > 0 ? blacklist : DEFAULT_BLACKLIST);
  const white = ranges(whitelist);
  return {
    check(address) {
      const parsed = ipaddr.parse(address);
      const blacklistedBy = firstMatch(black, parsed);
      const whitelistedBy = firstMatch(white, parsed);
      if (blacklistedBy === undefined)
        return whitelistedBy ? { allowed: true, whitelistedBy } : { allowed: true };
      if (whitelistedBy !== undefined) return { allowed: true, whitelistedBy, blacklistedBy };
      return { allowed: false, blacklistedBy };
    },
  };
}

function firstMatch(list: readonly Range[], address: IPv4 | IPv6): string | undefined {
  for (const range of list) {
    if (address.kind() === "ipv4" && range.v4 && (address as IPv4).match(range.v4)) return range.entry;
    if (address.kind() === "ipv6" && range.v6 && (address as IPv6).match(range.v6)) return range.entry;
  }
  return undefined;
}

/** The entries' own ranges first, then the IPv6 forms of the IPv4 ones, so a verdict names the likeliest entry. */
function ranges(entries: readonly string[]): Range[] {
  const own: Range[] = [];
  const derived: Range[] = [];
  for (const entry of entries) {
    const [address, bits] = ipaddr.parseCIDR(entry);
    if (address.kind() === "ipv6") {
      own.push({ entry, v6: [address as IPv6, bits] });
      continue;
    }
    const v4 = address as IPv4;
    own.push({ entry, v4: [v4, bits] });
    const [a = 0, b = 0, c = 0, d = 0] = v4.octets;
    const hi = (a << 8) | b;
    const lo = (c << 8) | d;
    derived.push(
      { entry, v6: [new ipaddr.IPv6([0, 0, 0, 0, 0, 0, hi, lo]), 96 + bits] },
      { entry, v6: [new ipaddr.IPv6([0, 0, 0, 0, 0, 0xffff, hi, lo]), 96 + bits] },
      { entry, v6: [new ipaddr.IPv6([0x2002, hi, lo, 0, 0, 0, 0, 0]), 16 + bits] },
    );
  }
  return [...own, ...derived];
}
