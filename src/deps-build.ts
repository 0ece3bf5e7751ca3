// The Deps the server (main.ts) and the benchmark target (bench/cairn-app.ts) run on, built from the
// config and the parts each of them opens, owns and closes itself.
import { accountAuthenticator } from "./domain/accounts.js";
import { loadOrCreatePepper } from "./domain/pepper.js";
import { configuredLimits, MemoryRateLimiter } from "./domain/ratelimit.js";
import type { Config } from "./config/types.js";
import { signingKeyFromSeed } from "./crypto/signing-key.js";
import type { Deps } from "./deps.js";
import { createXMatrixVerifier } from "./federation/xmatrix.js";
import { createSenders, type SendersOptions } from "./senders/senders.js";

export type DepsParts = Pick<
  Deps,
  "store" | "clock" | "random" | "log" | "terms" | "metrics" | "federation" | "replication" | "onbind"
> &
  Pick<SendersOptions, "fetch">;

/** Everything else from the config; reads (or creates, as Sydent does) the lookup pepper. */
export async function createDeps(config: Config, parts: DepsParts): Promise<Deps> {
  const { store, clock, random, log, terms, metrics, federation, replication, onbind, fetch } = parts;
  return {
    config,
    store,
    serverKey: signingKeyFromSeed(config.crypto.signingKey.seed, config.crypto.signingKey.version),
    clock,
    random,
    log,
    auth: accountAuthenticator(store.accounts, terms),
    terms,
    metrics,
    federation,
    xmatrix: createXMatrixVerifier({ client: federation, serverName: config.general.serverName, clock, log }),
    ...createSenders(config, { cwd: process.cwd(), clock, random, log, metrics, fetch }),
    pepper: await loadOrCreatePepper(store.hashing, random),
    replication,
    onbind,
    rateLimiter: new MemoryRateLimiter(configuredLimits(config), clock),
  };
}
