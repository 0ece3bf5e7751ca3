// Sends queued bind notifications (domain/onbind.ts) to homeservers: POST /3pid/onbind through
// the federation client (matrix:// discovery, IP deny-list). A 2xx answer ends the notification
// (and, with delete_tokens_on_bind, the invitation tokens it delivered); a 4xx other than 429 is
// final at once; anything else is retried after 10 s, doubling up to an hour, with jitter, until
// `[onbind] give_up_after_hours`. Rows are claimed in the database, so with several instances each
// notification is sent by one at a time, and a claim left by a crashed process lapses.
import type { Logger } from "pino";
import type { Clock } from "../clock.js";
import type { Config } from "../config/types.js";
import type { Random } from "../crypto/random.js";
import { ONBIND_PATH } from "../domain/onbind.js";
import { FederationError, type FederationClient } from "../federation/types.js";
import type { Metrics } from "../metrics/metrics.js";
import type { OnbindNotification, Store } from "../store/store.js";

/** Deadline of one POST, discovery included. */
export const ONBIND_TIMEOUT_MS = 30_000;
/** A claim outlives the request it covers, so no other instance sends the row meanwhile. */
export const CLAIM_MS = 2 * ONBIND_TIMEOUT_MS;
export const FIRST_RETRY_MS = 10_000;
export const MAX_RETRY_MS = 60 * 60 * 1000;
/** How often the queue is looked at besides kicks (for retries, and binds on other instances). */
const POLL_MS = 5_000;
/** Notifications sent at once. */
const BATCH = 20;
/** A homeserver's answer is read only for its status. */
const MAX_REPLY_BYTES = 64 * 1024;

export interface OnbindDeliveryDeps {
  config: Pick<Config, "general" | "onbind">;
  store: Store;
  federation: FederationClient;
  clock: Clock;
  random: Random;
  log: Logger;
  metrics: Metrics;
}

/** What the bind flow sees (`deps.onbind`). */
export interface OnbindKick {
  /** Sends queued notifications soon: call it once a bind has committed. */
  kick(): void;
}

/** For tools that bind without sending (a running server's queue poll sends their notifications). */
export const noOnbindKick: OnbindKick = { kick: () => {} };

export interface OnbindDelivery extends OnbindKick {
  /** Sends what is due now, then every few seconds. */
  start(): void;
  /** One pass: sends every notification due now (batch after batch); resolves when done. */
  runOnce(): Promise<void>;
  /** Stops the timer and waits for sends in flight (unfinished ones are sent again later). */
  stop(): Promise<void>;
}

type Outcome = { kind: "delivered" } | { kind: "retry"; error: string } | { kind: "final"; error: string };

/** The wait after the n-th failed attempt (n >= 1): 10 s doubling to 1 h, less up to a fifth at random. */
export function retryDelayMs(failures: number, random: Random): number {
  const delay = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.min(failures - 1, 30));
  return delay - random.int(Math.floor(delay / 5));
}

/** The tokens of the invitations a notification carries. */
function deliveredTokens(body: string): string[] {
  const parsed = JSON.parse(body) as { invites?: { token: string }[] };
  return (parsed.invites ?? []).map((invite) => invite.token);
}

export function createOnbindDelivery(deps: OnbindDeliveryDeps): OnbindDelivery {
  const { store, clock, log, metrics } = deps;
  const giveUpAfterMs = deps.config.onbind.giveUpAfterHours * 60 * 60 * 1000;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | null = null;
  let again = false;

  const attempt = async (n: OnbindNotification): Promise<Outcome> => {
    try {
      const response = await deps.federation.request(n.destination, {
        method: "POST",
        path: ONBIND_PATH,
        json: JSON.parse(n.body) as unknown,
        maxBytes: MAX_REPLY_BYTES,
        timeoutMs: ONBIND_TIMEOUT_MS,
      });
      const { status } = response;
      if (status >= 200 && status < 300) return { kind: "delivered" };
      const error = `HTTP ${status}`;
      return status >= 400 && status < 500 && status !== 429
        ? { kind: "final", error }
        : { kind: "retry", error };
    } catch (err) {
      if (!(err instanceof FederationError)) throw err;
      const error = `${err.kind}: ${err.message}`;
      return err.kind === "invalid_server_name" ? { kind: "final", error } : { kind: "retry", error };
    }
  };

  const giveUp = async (n: OnbindNotification, error: string, why: string) => {
    const given = await store.onbind.giveUp(n.id, error);
    if (given === undefined) return;
    metrics.onbindDelivered.inc({ outcome: "gave_up" });
    // The destination names a server, not a person; the body (addresses, tokens) stays out.
    log.warn(
      { id: n.id, destination: n.destination, attempts: given.attempts, error, queuedAt: n.createdTs },
      `onbind notification dropped: ${why}`,
    );
  };

  const deliver = async (n: OnbindNotification) => {
    const outcome = await attempt(n);
    if (outcome.kind === "delivered") {
      const tokens = deps.config.general.deleteTokensOnBind ? deliveredTokens(n.body) : [];
      await store.transaction(async (tx) => {
        await tx.onbind.markDelivered(n.id);
        await tx.invites.deleteTokens(tokens);
      });
      metrics.onbindDelivered.inc({ outcome: "delivered" });
      log.info(
        { id: n.id, destination: n.destination, attempts: n.attempts + 1 },
        "onbind notification delivered",
      );
      return;
    }
    if (outcome.kind === "final") return giveUp(n, outcome.error, "the homeserver refused it");
    const now = clock.now();
    const deadline = n.createdTs + giveUpAfterMs;
    if (now >= deadline) return giveUp(n, outcome.error, "the homeserver could not be reached in time");
    const next = Math.min(deadline, now + retryDelayMs(n.attempts + 1, deps.random));
    await store.onbind.reschedule(n.id, next, outcome.error);
    metrics.onbindDelivered.inc({ outcome: "retry" });
    log.info(
      {
        id: n.id,
        destination: n.destination,
        attempts: n.attempts + 1,
        error: outcome.error,
        retryInMs: next - now,
      },
      "onbind notification not delivered; will retry",
    );
  };

  const pass = async () => {
    for (;;) {
      const now = clock.now();
      const due = await store.onbind.claimDue(now, BATCH, now + CLAIM_MS);
      await Promise.all(
        due.map((n) =>
          deliver(n).catch((err: unknown) => {
            // The database failed: the claim lapses and the row is sent again.
            log.error({ err, id: n.id }, "onbind delivery failed");
          }),
        ),
      );
      if (due.length < BATCH || stopped) break;
    }
    metrics.onbindQueueDepth.set(await store.onbind.depth());
  };

  const runOnce = (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        try {
          await pass();
        } catch (err) {
          log.error({ err }, "onbind delivery pass failed");
        }
      } while (again && !stopped);
    })().finally(() => (running = null));
    return running;
  };

  return {
    start() {
      void runOnce();
      timer = setInterval(() => void runOnce(), POLL_MS);
      timer.unref();
    },
    kick() {
      setImmediate(() => {
        if (!stopped) void runOnce();
      });
    },
    runOnce,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
