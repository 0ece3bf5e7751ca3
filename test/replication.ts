// Helpers for replication tests: a raw mutual-TLS POST (any certificate, any Content-Type) and
// associations signed as a peer would sign them.
import { request } from "node:https";
import { signingKeyFromSeed, type SigningKey } from "../src/crypto/signing-key.js";
import {
  signAssociation,
  type Association,
  type SignedAssociation,
} from "../src/domain/signed-association.js";

export interface RawResponse {
  status: number;
  json: unknown;
}

/**
 * POSTs `body` to `url` presenting `pem` (key and certificate; none when undefined) and trusting
 * `ca`. `contentType: null` sends no Content-Type at all. Rejects when TLS refuses the connection.
 */
export function rawPush(
  url: string,
  options: { pem: string | undefined; ca: string; body: string; contentType?: string | null },
): Promise<RawResponse> {
  const contentType = options.contentType === undefined ? "application/json" : options.contentType;
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: "POST",
        key: options.pem,
        cert: options.pem,
        ca: options.ca,
        agent: false,
        headers: contentType === null ? {} : { "Content-Type": contentType },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (text += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) as unknown }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(options.body);
  });
}

/** A peer's signing key from a one-byte seed pattern, and its public key as peer_pubkeys holds it. */
export function peerKey(fill: number): { key: SigningKey; publicKeyBase64: string } {
  const key = signingKeyFromSeed(Buffer.alloc(32, fill), "0");
  return { key, publicKeyBase64: key.publicKeyBase64 };
}

const LIFETIME = 100 * 365 * 86_400_000;

/** A binding (or, with mxid null, a deletion) as `server` signs it. */
export function signedBy(
  server: string,
  key: SigningKey,
  medium: string,
  address: string,
  mxid: string | null,
  ts: number,
): SignedAssociation {
  const association: Association =
    mxid === null
      ? { medium, address, mxid, ts, not_before: null, not_after: null }
      : { medium, address, mxid, ts, not_before: ts, not_after: ts + LIFETIME };
  return signAssociation(association, server, key);
}
