// The replication listener (`[http] replication.https.*`): HTTPS where every client must present a
// certificate chaining to the replication CA, serving Sydent's one endpoint,
// `POST /_matrix/identity/replicate/v1/push` (behaviour §8.3). The pushing peer is the CN of its
// certificate and must be an active `peers` row with a usable ed25519 key.
import type { Server as HttpServer } from "node:http";
import { createServer } from "node:https";
import { TLSSocket } from "node:tls";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Logger } from "pino";
import { baseApp } from "../app.js";
import { MatrixError } from "../errors.js";
import { parseJsonBody } from "../http/args.js";
import { installHttpMetrics } from "../metrics/http.js";
import type { Metrics } from "../metrics/metrics.js";
import type { Store } from "../store/store.js";
import { ingestPush, type PushingPeer } from "./ingest.js";
import { decodePeerKey, PEER_KEY_ALGORITHM } from "./peer-key.js";
import { PUSH_PATH } from "./protocol.js";
import { commonNameOf, type ReplicationTls } from "./tls.js";

/** Generous, since a push carries up to a batch of signed associations, but bounded. */
export const REPLICATION_BODY_LIMIT = 50 * 1024 * 1024;

export interface ReceiverDeps {
  store: Store;
  pepper: string;
  log: Logger;
  metrics: Metrics;
}

const unknownPeer = () => new MatrixError("M_UNKNOWN_PEER", "This peer is not known to this server");

/** The CN of the client certificate the TLS layer verified, if any. */
function certificateName(req: FastifyRequest): string | undefined {
  const socket = req.raw.socket;
  if (!(socket instanceof TLSSocket) || !socket.authorized) return undefined;
  return commonNameOf(socket.getPeerCertificate().subject);
}

/** The peer behind a verified certificate name: active, with an ed25519 key that decodes. */
async function pushingPeer(deps: ReceiverDeps, name: string | undefined): Promise<PushingPeer> {
  const peer = name === undefined ? undefined : await deps.store.peers.activePeer(name);
  const stored = peer?.publicKeys[PEER_KEY_ALGORITHM];
  if (name === undefined || stored === undefined) {
    deps.log.warn({ peer: name ?? null }, "replication push from a peer not known to this server");
    throw unknownPeer();
  }
  try {
    return { name, verifyKey: decodePeerKey(stored).key };
  } catch (err) {
    // Sydent answers 500 here; the peer is as good as unknown until its key is fixed.
    deps.log.error({ err, peer: name }, "cannot decode the stored ed25519 key of a replication peer");
    throw unknownPeer();
  }
}

/** The replication app over a node server from `serverFactory` (HTTPS in production). */
export function buildReplicationApp(
  deps: ReceiverDeps,
  serverFactory?: Parameters<typeof baseApp>[2],
): FastifyInstance {
  const app = baseApp(deps.log, REPLICATION_BODY_LIMIT, serverFactory);
  installHttpMetrics(app, deps.metrics);
  const peers = new WeakMap<FastifyRequest, PushingPeer>();
  app.post(PUSH_PATH, {
    // Before the body is read: who is pushing, and is it JSON (Sydent's order of checks).
    onRequest: async (req) => {
      peers.set(req, await pushingPeer(deps, certificateName(req)));
      // Sydent compares the header exactly, and crashes (500) when there is none.
      if (req.headers["content-type"] !== "application/json") {
        throw new MatrixError("M_NOT_JSON", "This endpoint expects JSON");
      }
    },
    handler: async (req) => {
      const peer = peers.get(req);
      if (peer === undefined) throw unknownPeer();
      await ingestPush(deps, peer, parseJsonBody(Buffer.isBuffer(req.body) ? req.body : undefined));
      return { success: true };
    },
  });
  return app;
}

export interface ReplicationListener {
  app: FastifyInstance;
  /** Where it listens, e.g. `https://[::]:4434`. */
  url: string;
  /** Stops accepting and waits for pushes in progress. */
  close(): Promise<void>;
}

/** Starts the mutual-TLS listener on `host`:`port`. */
export async function startReplicationListener(
  deps: ReceiverDeps,
  tls: ReplicationTls,
  host: string,
  port: number,
): Promise<ReplicationListener> {
  const options = { key: tls.pem, cert: tls.pem, ca: tls.ca, requestCert: true, rejectUnauthorized: true };
  // An https.Server serves requests exactly as the http.Server Fastify's types expect.
  const app = buildReplicationApp(deps, (handler) => createServer(options, handler) as unknown as HttpServer);
  await app.listen({ host, port, backlog: 50 });
  // Fastify names the listener http: it does not know the server it was given speaks TLS.
  const address = app.server.address();
  const bound = typeof address === "object" && address !== null ? address : { address: host, port };
  const url = `https://${bound.address.includes(":") ? `[${bound.address}]` : bound.address}:${bound.port}`;
  return { app, url, close: () => app.close() };
}
