// Deps for tests: a real store (in-memory SQLite, or a fresh PostgreSQL schema), the golden signing
// key, a clock pinned to the fixtures' day, the real CSPRNG and the test run's logger (everything,
// into a file the run scans for secrets: test/log-secrets.ts). The configuration is loaded through
// the real loader from INI sections the test gives.
import { fixedClock } from "../src/clock.js";
import { loadConfig } from "../src/config/load.js";
import { casefold } from "../src/crypto/casefold.js";
import { cryptoRandom } from "../src/crypto/random.js";
import { federationClientFromConfig } from "../src/federation/client.js";
import type { FederationClientOptions } from "../src/federation/client.js";
import type { Resolver } from "../src/federation/dns.js";
import { createXMatrixVerifier } from "../src/federation/xmatrix.js";
import { signingKeyFromSeed } from "../src/crypto/signing-key.js";
import type { Deps } from "../src/deps.js";
import { openTermsFile } from "../src/config/terms-file.js";
import { accountAuthenticator } from "../src/domain/accounts.js";
import { loadOrCreatePepper } from "../src/domain/pepper.js";
import type { Authenticator } from "../src/http/auth.js";
import { configuredLimits, MemoryRateLimiter } from "../src/domain/ratelimit.js";
import { createMetrics } from "../src/metrics/metrics.js";
import { createOnbindDelivery, type OnbindDelivery } from "../src/jobs/onbind-delivery.js";
import { noReplication } from "../src/replication/service.js";
import { createSenders } from "../src/senders/senders.js";
import type { HttpFetch } from "../src/senders/sms/http.js";
import { openStore } from "../src/store/open.js";
import { MemoryFs, loadOptions, CWD } from "./memory-fs.js";
import { createTestSchema, postgresUrl } from "./postgres.js";
import { registerSecrets, testLogger } from "./log-secrets.js";

/** 2026-12-04 around the time the fixtures were made (their sessions are valid then). */
export const FIXTURE_NOW = 1796414400000;
/** golden.json's key: seed bytes 00..1f. */
export const GOLDEN_SEED = Buffer.from(Array.from({ length: 32 }, (_, i) => i));
export const GOLDEN_PUBLIC_KEY = "A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg";
registerSecrets(
  GOLDEN_SEED.toString("base64"),
  GOLDEN_SEED.toString("base64").replace(/=+$/, ""),
  GOLDEN_SEED.toString("hex"),
);
export const TEST_SERVER_NAME = "id.cairn.test";

export type Engine = "sqlite" | "postgres";
export type IniSections = Record<string, Record<string, string | number | boolean>>;

export function iniText(sections: IniSections): string {
  return Object.entries(sections)
    .map(
      ([name, keys]) =>
        `[${name}]\n${Object.entries(keys)
          .map(([k, v]) => `${k} = ${String(v)}\n`)
          .join("")}`,
    )
    .join("\n");
}

export interface TestDepsOptions {
  engine?: Engine;
  /** Config sections merged over the test defaults. */
  conf?: IniSections;
  now?: number;
  /**
   * The federation client's seams: a resolver (default: one that knows no name, so no test reaches
   * real DNS), trusted CAs, test ports for .well-known and discovery's last step, short timeouts.
   * The deny-list and federation.verifycerts come from `conf`.
   */
  federation?: Partial<
    Pick<
      FederationClientOptions,
      "resolver" | "ca" | "federationPort" | "httpsPort" | "connectTimeoutMs" | "timeoutMs"
    >
  >;
  /** Stands in for v2 authentication (default: the real one, over the accounts table and the terms). */
  auth?: Authenticator;
  /**
   * Outbound HTTP for SMS (point `[sms] openmarket.base_url` at a test server and pass a real fetch,
   * e.g. `directFetch()`). Default: every SMS fails, nothing leaves the machine. Email goes to the
   * SMTP server at `[email] email.smtphost`/`email.smtpport` (set them to a test server).
   */
  fetch?: HttpFetch;
}

/** A resolver that knows no name. */
export const emptyResolver: Resolver = {
  lookup: async () => [],
  srv: async () => ({ records: [], ttlSeconds: 0 }),
};

/** The default SMS fetch of test deps: refuses, so that no test reaches a real provider. */
const noSmsProvider: HttpFetch = async (url) => {
  throw new Error(`this test set no SMS provider (fetch ${url})`);
};

export type TestDeps = Deps & {
  clock: ReturnType<typeof fixedClock>;
  /** Sends the onbind notifications due now (what the server's timer does). */
  onbindDelivery: Pick<OnbindDelivery, "runOnce">;
  cleanup(): Promise<void>;
};

export async function testConfig(conf: IniSections = {}) {
  const sections: IniSections = {
    general: { "server.name": TEST_SERVER_NAME, "templates.path": "res" },
    db: { "db.file": ":memory:" },
    crypto: { "ed25519.signingkey": `ed25519 0 ${GOLDEN_SEED.toString("base64").replace(/=+$/, "")}` },
  };
  for (const [name, keys] of Object.entries(conf)) sections[name] = { ...sections[name], ...keys };
  const fs = new MemoryFs({ [`${CWD}/sydent.conf`]: iniText(sections) });
  return (await loadConfig(loadOptions(fs, { casefold }))).config;
}

export async function testDeps(options: TestDepsOptions = {}): Promise<TestDeps> {
  const engine = options.engine ?? "sqlite";
  const pgSchema = engine === "postgres" ? await createTestSchema() : null;
  const config = await testConfig({
    ...options.conf,
    // The INI reader interpolates `%`: the URL's percent-encoding is written as `%%`.
    ...(pgSchema ? { postgres: { url: pgSchema.url.replaceAll("%", "%%"), ...options.conf?.postgres } } : {}),
  });
  const clock = fixedClock(options.now ?? FIXTURE_NOW);
  const log = testLogger();
  let terms;
  try {
    terms = await openTermsFile(config, clock, log);
  } catch (err) {
    await pgSchema?.cleanup();
    throw err;
  }
  const store = await openStore(config);
  const federation = federationClientFromConfig(config, {
    resolver: emptyResolver,
    clock,
    random: cryptoRandom,
    connectTimeoutMs: 2000,
    timeoutMs: 5000,
    ...options.federation,
  });
  const metrics = createMetrics({ defaultMetrics: false });
  const deps: TestDeps = {
    config,
    store,
    serverKey: signingKeyFromSeed(config.crypto.signingKey.seed, config.crypto.signingKey.version),
    clock,
    random: cryptoRandom,
    log,
    auth: options.auth ?? accountAuthenticator(store.accounts, terms),
    terms,
    pepper: await loadOrCreatePepper(store.hashing, cryptoRandom),
    metrics,
    ...createSenders(config, {
      cwd: CWD,
      clock,
      random: cryptoRandom,
      log,
      metrics,
      fetch: options.fetch ?? noSmsProvider,
    }),
    replication: noReplication,
    // The real sender, not started: a kick (after a bind) sends through `federation`.
    onbind: { kick: () => onbind.kick() },
    rateLimiter: new MemoryRateLimiter(configuredLimits(config), clock),
    federation,
    xmatrix: createXMatrixVerifier({ client: federation, serverName: config.general.serverName, clock, log }),
    onbindDelivery: { runOnce: () => onbind.runOnce() },
    async cleanup() {
      await onbind.stop();
      await federation.close();
      await store.close();
      await pgSchema?.cleanup();
    },
  };
  const onbind: OnbindDelivery = createOnbindDelivery(deps);
  return deps;
}

/** The engines a test file should run on: SQLite always, PostgreSQL when the machine has it. */
export function engines(): Engine[] {
  return postgresUrl() ? ["sqlite", "postgres"] : ["sqlite"];
}
