// The real Cairn app for a benchmark target, wired as main.ts wires it from a config file, except
// for the metrics listener (metrics are still counted).
import type { FastifyInstance } from "fastify";
import { buildApp } from "../src/app.js";
import { systemClock } from "../src/clock.js";
import { loadConfig } from "../src/config/load.js";
import { systemLoadOptions } from "../src/config/system.js";
import { casefold } from "../src/crypto/casefold.js";
import { cryptoRandom } from "../src/crypto/random.js";
import { signingKeyFromSeed } from "../src/crypto/signing-key.js";
import { openTermsFile } from "../src/config/terms-file.js";
import { accountAuthenticator } from "../src/domain/accounts.js";
import { loadOrCreatePepper } from "../src/domain/pepper.js";
import { configuredLimits, MemoryRateLimiter } from "../src/domain/ratelimit.js";
import { federationClientFromConfig } from "../src/federation/client.js";
import { systemResolver } from "../src/federation/dns.js";
import { createXMatrixVerifier } from "../src/federation/xmatrix.js";
import { createLogger } from "../src/log.js";
import { createMetrics } from "../src/metrics/metrics.js";
import { createSenders } from "../src/senders/senders.js";
import { noOnbindKick } from "../src/jobs/onbind-delivery.js";
import { noReplication } from "../src/replication/service.js";
import { openStore } from "../src/store/open.js";

export async function cairnApp(
  configPath: string,
): Promise<{ app: FastifyInstance; close(): Promise<void> }> {
  const { config } = await loadConfig({ ...systemLoadOptions(), path: configPath, casefold });
  const store = await openStore(config);
  const [clock, random, log, metrics] = [
    systemClock,
    cryptoRandom,
    createLogger(config.general),
    createMetrics(),
  ];
  const terms = await openTermsFile(config, clock, log);
  const federation = federationClientFromConfig(config, { resolver: systemResolver(random), clock, random });
  const app = buildApp({
    config,
    store,
    serverKey: signingKeyFromSeed(config.crypto.signingKey.seed, config.crypto.signingKey.version),
    clock,
    random,
    log,
    auth: accountAuthenticator(store.accounts, terms),
    terms,
    metrics,
    ...createSenders(config, { cwd: process.cwd(), clock, random, log, metrics }),
    pepper: await loadOrCreatePepper(store.hashing, random),
    replication: noReplication,
    onbind: noOnbindKick,
    rateLimiter: new MemoryRateLimiter(configuredLimits(config), clock),
    federation,
    xmatrix: createXMatrixVerifier({ client: federation, serverName: config.general.serverName, clock, log }),
  });
  return {
    app,
    close: async () => {
      await app.close();
      await federation.close();
      await store.close();
    },
  };
}
