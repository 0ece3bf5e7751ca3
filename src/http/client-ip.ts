// Who is asking, as Sydent tells it (behaviour §0.7): the client IP (shown in verification emails
// and keying the v1 email rate limit) and the brand hint that picks email templates and pages.
import type { FastifyRequest } from "fastify";
import ipaddr from "ipaddr.js";
import { rawQuery } from "./query.js";

export interface ForwardedForConfig {
  /** `[http] obey_x_forwarded_for`. */
  obeyXForwardedFor: boolean;
  /** `[http] trusted_proxies` (Cairn), CIDR ranges; empty: every peer is believed, as in Sydent. */
  trustedProxies: readonly string[];
}

export type ClientIp = (req: FastifyRequest) => string | null;

/**
 * The client address of a request:
 * - without `obey_x_forwarded_for`, the peer address;
 * - with it and no trusted proxies (Sydent), the first `X-Forwarded-For` header line verbatim (even
 *   a comma-separated list, as Sydent takes it), else the peer;
 * - with trusted proxies, the header is obeyed only on connections from one of them, and the
 *   client is the right-most address of all header lines that is not a trusted proxy (addresses
 *   further left were written by the client itself and prove nothing).
 * `null` when unknown.
 */
export function createClientIp(config: ForwardedForConfig): ClientIp {
  const trusted = config.trustedProxies.map((cidr) => ipaddr.parseCIDR(cidr));
  const isTrusted = (address: string): boolean => {
    if (!ipaddr.isValid(address)) return false;
    // IPv4 peers of a listener on `::` show as ::ffff:a.b.c.d.
    const parsed = ipaddr.process(address);
    return trusted.some(([range, bits]) => parsed.kind() === range.kind() && parsed.match(range, bits));
  };
  return (req) => {
    const peer = req.socket.remoteAddress ?? null;
    if (!config.obeyXForwardedFor) return peer;
    const lines = forwardedForLines(req);
    if (trusted.length === 0) return lines[0] ?? peer;
    if (peer === null || !isTrusted(peer)) return peer;
    const hops = lines
      .flatMap((line) => line.split(",").map((hop) => hop.trim()))
      .filter((hop) => hop !== "");
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = hops[i] as string;
      if (!isTrusted(hop)) return hop;
    }
    // Every hop is a proxy of ours: the request started at the left-most one.
    return hops[0] ?? peer;
  };
}

/** Every `X-Forwarded-For` header line, in order. */
function forwardedForLines(req: FastifyRequest): string[] {
  const raw = req.raw.rawHeaders;
  const lines: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (raw[i]?.toLowerCase() === "x-forwarded-for") lines.push(raw[i + 1] ?? "");
  }
  return lines;
}

/** The first `brand` parameter of the query string (or of a form body), whatever the body type. */
export function brandOf(req: FastifyRequest): string | undefined {
  const params = [rawQuery(req.url)];
  const type = String(req.headers["content-type"] ?? "").toLowerCase();
  if (type.startsWith("application/x-www-form-urlencoded") && Buffer.isBuffer(req.body)) {
    params.push(req.body.toString("latin1"));
  }
  for (const query of params) {
    const brand = new URLSearchParams(query).get("brand");
    if (brand !== null) return brand;
  }
  return undefined;
}
