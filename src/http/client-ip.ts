// Who is asking, as Sydent tells it (behaviour §0.7): the client IP (shown in verification emails
// and keying the v1 email rate limit) and the brand hint that picks email templates and pages.
import type { FastifyRequest } from "fastify";
import { rawQuery } from "./query.js";

/**
 * With `[http] obey_x_forwarded_for`, the first `X-Forwarded-For` header line verbatim (even a
 * comma-separated list, as Sydent takes it); else the peer address; `null` when unknown.
 */
export function clientIp(req: FastifyRequest, obeyXForwardedFor: boolean): string | null {
  if (obeyXForwardedFor) {
    const raw = req.raw.rawHeaders;
    for (let i = 0; i + 1 < raw.length; i += 2) {
      if (raw[i]?.toLowerCase() === "x-forwarded-for") return raw[i + 1] ?? null;
    }
  }
  return req.socket.remoteAddress ?? null;
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
