// The replication pusher (behaviour §8.2): for each active peer, our local rows after its
// `lastSentVersion`, signed, in batches, until it has them all; `lastSentVersion` and
// `lastPokeSucceededAt` move only when the peer answers 2xx. Unlike Sydent: one push at a time per
// peer, a push soon after each bind (`poke`), a growing wait after failures, a peer with a bad key
// skipped (Sydent's loop dies), and with several instances on one database only the holder of
// the `replication-push` lease pushes.
import type { Logger } from "pino";
import type { Clock } from "../clock.js";
import type { Config } from "../config/types.js";
import { ALPHANUMERIC, type Random } from "../crypto/random.js";
import type { SigningKey } from "../crypto/signing-key.js";
import { processHolder } from "../jobs/periodic.js";
import type { Metrics } from "../metrics/metrics.js";
import type { Peer, Store } from "../store/store.js";
import { decodePeerKey, PEER_KEY_ALGORITHM } from "./peer-key.js";
import { peerPushUrl, pushBody } from "./protocol.js";
import { createPushClient, type ConnectTo, type PushResponse } from "./push-client.js";
import type { ReplicationTls } from "./tls.js";

export const PUSH_LEASE = "replication-push";
/** How long a push request may take. */
export const PUSH_TIMEOUT_MS = 30_000;

export interface PusherDeps {
  config: Pick<Config, "general" | "http" | "replication">;
  store: Store;
  serverKey: SigningKey;
  clock: Clock;
  random: Random;
  log: Logger;
  metrics: Metrics;
}

export interface PusherOptions {
  tls: ReplicationTls;
  /** Where to connect for a peer URL's host (default: DNS); tests point names at loopback. */
  connectTo?: ConnectTo;
}

export interface Pusher {
  /** Pushes now, then every `push_interval_ms`. */
  start(): void;
  /** Pushes soon (call it once a bind or unbind has committed); peers waiting after a failure keep waiting. */
  poke(): void;
  /** Stops; pushes in flight get `graceMs` to finish, then are aborted (they are simply sent again later). */
  stop(graceMs?: number): Promise<void>;
}

interface PeerState {
  failures: number;
  /** Clock time before which the peer is not tried again. */
  retryAt: number;
  task: Promise<void> | null;
  /** New rows may have arrived while the task ran: look again before it ends. */
  again: boolean;
}

export function createPusher(deps: PusherDeps, options: PusherOptions): Pusher {
  const { store, clock, log, metrics } = deps;
  const { general, http, replication } = deps.config;
  const intervalMs = replication.pushIntervalMs;
  const leaseTtlMs = Math.max(3 * intervalMs, 30_000);
  const holder = `${processHolder}/replication/${deps.random.string(8, ALPHANUMERIC)}`;
  const client = createPushClient({
    tls: options.tls,
    timeoutMs: PUSH_TIMEOUT_MS,
    connectTo: options.connectTo,
  });
  const states = new Map<string, PeerState>();
  const reported = new Set<string>();
  let held = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let cycleRunning: Promise<void> | null = null;
  let cycleAgain = false;
  let pokePending = false;

  const renewLease = async () => {
    held = await store.leases.tryAcquire(PUSH_LEASE, holder, clock.now(), leaseTtlMs);
    return held;
  };

  const reportOnce = (level: "warn" | "error", peer: string, key: string, message: string, err?: unknown) => {
    if (reported.has(`${peer}\0${key}`)) return;
    reported.add(`${peer}\0${key}`);
    log[level]({ peer, err }, message);
  };

  /** Whether we can push to the peer: its ed25519 key must decode (Sydent's check). */
  const usable = (peer: Peer): boolean => {
    const stored = peer.publicKeys[PEER_KEY_ALGORITHM];
    if (stored === undefined) {
      reportOnce("error", peer.name, "", "replication peer has no ed25519 key: not pushing to it");
      return false;
    }
    try {
      if (decodePeerKey(stored).hex) {
        reportOnce("warn", peer.name, stored, "replication peer key is hex: please store it in base64");
      }
      return true;
    } catch (err) {
      reportOnce(
        "error",
        peer.name,
        stored,
        "cannot decode the ed25519 key of a replication peer: not pushing to it",
        err,
      );
      return false;
    }
  };

  const setBehind = async (peer: string, lastSentVersion: number | null) => {
    metrics.replicationBehind.set({ peer }, await store.associations.countLocalAfter(lastSentVersion));
  };

  const failed = (
    peer: string,
    state: PeerState,
    url: string,
    why: { err?: unknown; response?: PushResponse },
  ) => {
    // Requests aborted by stop() are not the peer's failure.
    if (stopped) return;
    state.failures++;
    const waitMs = Math.min(replication.maxBackoffMs, intervalMs * 2 ** (state.failures - 1));
    state.retryAt = clock.now() + waitMs;
    metrics.replicationPushes.inc({ peer, outcome: "failure" });
    const { err, response } = why;
    log.warn(
      {
        peer,
        url,
        err,
        status: response?.status,
        body: response?.body,
        failures: state.failures,
        retryInMs: waitMs,
      },
      "replication push failed",
    );
  };

  /** Sends batch after batch until the peer has every local row, a push fails, or we stop. */
  const pushTo = async (peer: Peer, state: PeerState): Promise<void> => {
    const url = peerPushUrl(peer, http.baseReplicationUrls);
    let last = peer.lastSentVersion;
    try {
      do {
        state.again = false;
        for (;;) {
          if (stopped || !held) return;
          const rows = await store.associations.localAfter(last, replication.pushBatchSize);
          const lastRow = rows.at(-1);
          if (lastRow === undefined) break;
          let response: PushResponse;
          try {
            response = await client.post(url, pushBody(rows, general.serverName, deps.serverKey));
          } catch (err) {
            return failed(peer.name, state, url, { err });
          }
          if (response.status < 200 || response.status >= 300) {
            return failed(peer.name, state, url, { response });
          }
          last = lastRow.id;
          await store.peers.updateProgress(peer.name, last, clock.now());
          state.failures = 0;
          state.retryAt = 0;
          metrics.replicationPushes.inc({ peer: peer.name, outcome: "success" });
          log.info(
            { peer: peer.name, count: rows.length, lastSentVersion: last },
            "replication push accepted",
          );
          await renewLease();
        }
      } while (state.again && !stopped);
    } catch (err) {
      // The database failed us: try again later like after a refused push.
      failed(peer.name, state, url, { err });
    } finally {
      await setBehind(peer.name, last).catch(() => {});
    }
  };

  const cycle = async () => {
    if (!(await renewLease())) {
      // Only the instance that pushes reports how far behind peers are.
      metrics.replicationBehind.reset();
      return;
    }
    const peers = await store.peers.activePeers();
    const now = clock.now();
    for (const name of states.keys()) {
      if (!peers.some((p) => p.name === name) && !states.get(name)?.task) {
        states.delete(name);
        metrics.replicationBehind.remove({ peer: name });
      }
    }
    for (const peer of peers) {
      let state = states.get(peer.name);
      if (!state) states.set(peer.name, (state = { failures: 0, retryAt: 0, task: null, again: false }));
      if (state.task) {
        state.again = true;
      } else if (!usable(peer) || state.retryAt > now) {
        await setBehind(peer.name, peer.lastSentVersion);
      } else {
        const running = state;
        running.task = pushTo(peer, running).finally(() => {
          running.task = null;
          // A poke that came after the task last looked for rows.
          if (running.again) runCycle();
        });
      }
    }
  };

  const runCycle = () => {
    if (stopped) return;
    if (cycleRunning) {
      cycleAgain = true;
      return;
    }
    cycleRunning = (async () => {
      do {
        cycleAgain = false;
        try {
          await cycle();
        } catch (err) {
          log.error({ err }, "replication push cycle failed");
        }
      } while (cycleAgain && !stopped);
    })().finally(() => (cycleRunning = null));
  };

  return {
    start() {
      log.info({ intervalMs, batchSize: replication.pushBatchSize }, "replication pusher started");
      runCycle();
      timer = setInterval(runCycle, intervalMs);
      timer.unref();
    },
    poke() {
      if (stopped || pokePending) return;
      pokePending = true;
      setImmediate(() => {
        pokePending = false;
        runCycle();
      });
    },
    async stop(graceMs = 5_000) {
      stopped = true;
      clearInterval(timer);
      const settled = (async () => {
        await cycleRunning;
        await Promise.allSettled([...states.values()].map((s) => s.task));
      })();
      let graceTimer: NodeJS.Timeout | undefined;
      await Promise.race([settled, new Promise((resolve) => (graceTimer = setTimeout(resolve, graceMs)))]);
      clearTimeout(graceTimer);
      client.close();
      await settled;
      if (held)
        await store.leases
          .release(PUSH_LEASE, holder)
          .catch((err: unknown) => log.warn({ err }, "cannot release the replication lease"));
    },
  };
}
