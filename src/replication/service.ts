// Replication as the server process runs it: the mutual-TLS listener and the pusher, both present
// only when a replication certificate is configured and readable (as in Sydent).
import type { Deps } from "../deps.js";
import type { ConnectTo } from "./push-client.js";
import { createPusher, type Pusher } from "./pusher.js";
import { startReplicationListener, type ReplicationListener } from "./receiver.js";
import type { ReplicationTls } from "./tls.js";

/** What the rest of the server sees of replication (`deps.replication`). */
export interface Replication {
  /** Pushes to peers soon; the bind and unbind flows call it once their change has committed. */
  poke(): void;
}

export interface RunningReplication extends Replication {
  /** null without a certificate. */
  listener: ReplicationListener | null;
  /** Stops accepting pushes (in-flight ones finish), then stops pushing (`graceMs` for requests in flight). */
  close(graceMs?: number): Promise<void>;
}

/** Replication that does nothing: no certificate, or a tool that only reads the database. */
export const noReplication: Replication = { poke: () => {} };

export async function startReplication(
  deps: Deps,
  tls: ReplicationTls | null,
  options: { connectTo?: ConnectTo } = {},
): Promise<RunningReplication> {
  const { config, log } = deps;
  if (tls === null) {
    if ((await deps.store.peers.activePeers()).length > 0) {
      log.error(
        "replication peers are configured but there is no replication certificate: nothing is pushed",
      );
    }
    return { ...noReplication, listener: null, close: async () => {} };
  }
  if (tls.commonName !== config.general.serverName) {
    log.warn(
      { commonName: tls.commonName, serverName: config.general.serverName },
      "the replication certificate's CN is not server.name: peers will not recognise this server's pushes",
    );
  }
  const { replicationBindAddress: host, replicationPort: port } = config.http;
  const listener = await startReplicationListener(deps, tls, host, port);
  const pusher: Pusher = createPusher(deps, { tls, connectTo: options.connectTo });
  pusher.start();
  log.info({ url: listener.url }, "replication listener started");
  return {
    listener,
    poke: () => pusher.poke(),
    async close(graceMs) {
      await listener.close();
      await pusher.stop(graceMs);
    },
  };
}
