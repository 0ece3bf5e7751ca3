// Helpers for replication tests: a raw mutual-TLS POST (any certificate, any Content-Type),
// associations signed as a peer would sign them, and a fake peer that records what it is sent.
import { once } from "node:events";
import type { IncomingHttpHeaders } from "node:http";
import { createServer as createHttpsServer, request } from "node:https";
import type { TLSSocket } from "node:tls";
import { signingKeyFromSeed, type SigningKey } from "../src/crypto/signing-key.js";
import {
  signAssociation,
  type Association,
  type SignedAssociation,
} from "../src/domain/signed-association.js";
import { commonNameOf } from "../src/replication/tls.js";
import type { TestCa } from "./tls.js";

/**
 * A replication certificate for `name` (its CN and DNS name, plus 127.0.0.1) from `ca`: private key
 * and certificate in one PEM text, the shape of `replication.https.certfile`.
 */
export function replicationPem(ca: TestCa, name: string): string {
  const { key, cert } = ca.issue({ dns: [name], ip: ["127.0.0.1"] });
  return `${key}${cert}`;
}

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

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** CN of the client certificate. */
  clientName: string | undefined;
}

export interface FakePeer {
  port: number;
  requests: ReceivedRequest[];
  /** Most requests in progress at once so far. */
  maxConcurrent: number;
  close(): Promise<void>;
}

/**
 * An HTTPS server standing in for a peer: requires a client certificate from `ca`, records every
 * request, and answers what `answer` says (after `delayMs`).
 */
export async function startFakePeer(
  ca: string,
  pem: string,
  answer: (req: ReceivedRequest) => { status: number; body?: unknown; delayMs?: number } = () => ({
    status: 200,
    body: { success: true },
  }),
): Promise<FakePeer> {
  let inProgress = 0;
  const peer: FakePeer = { port: 0, requests: [], maxConcurrent: 0, close: async () => {} };
  const server = createHttpsServer(
    { key: pem, cert: pem, ca, requestCert: true, rejectUnauthorized: true },
    (req, res) => {
      inProgress++;
      peer.maxConcurrent = Math.max(peer.maxConcurrent, inProgress);
      let body = "";
      req.setEncoding("utf8");
      req.on("data", (chunk: string) => (body += chunk));
      req.on("end", () => {
        const socket = req.socket as TLSSocket;
        const received: ReceivedRequest = {
          method: req.method ?? "",
          url: req.url ?? "",
          headers: req.headers,
          body,
          clientName: commonNameOf(socket.getPeerCertificate().subject),
        };
        peer.requests.push(received);
        const { status, body: reply = {}, delayMs = 0 } = answer(received);
        setTimeout(() => {
          inProgress--;
          res.writeHead(status, { "Content-Type": "application/json" }).end(JSON.stringify(reply));
        }, delayMs);
      });
    },
  );
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  peer.port = typeof address === "object" && address !== null ? address.port : 0;
  peer.close = async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
  return peer;
}

/** Waits until `check` holds (polling), or fails after `timeoutMs`. */
export async function until(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
