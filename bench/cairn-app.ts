// The real Cairn app for a benchmark target, wired as main.ts wires it from a config file, except
// for the metrics listener (metrics are still counted).
import type { FastifyInstance } from "fastify";
import { buildApp } from "../src/app.js";
import { systemClock } from "../src/clock.js";
import { loadConfig } from "../src/config/load.js";
import { systemLoadOptions } from "../src/config/system.js";
import { casefold } from "../src/crypto/casefold.js";
import { cryptoRandom } from "../src/crypto/random.js";
import { createDeps } from "../src/deps-build.js";
import { openTermsFile } from "../src/config/terms-file.js";
import { federationClientFromConfig } from "../src/federation/client.js";
import { systemResolver } from "../src/federation/dns.js";
import { createLogger } from "../src/log.js";
import { createMetrics } from "../src/metrics/metrics.js";
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
  const app = buildApp(
    await createDeps(config, {
      store,
      clock,
      random,
      log,
      terms,
      metrics,
      federation,
      replication: noReplication,
      onbind: noOnbindKick,
    }),
  );
  return {
    app,
    close: async () => {
      await app.close();
      await federation.close();
      await store.close();
    },
  };
}
