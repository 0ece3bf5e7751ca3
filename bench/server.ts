// One benchmark target in its own process (so that it has a core to itself, apart from the load
// generator): `cairn <config>` is the real Cairn app wired as main.ts wires it, on 127.0.0.1;
// `bare` is a Fastify route answering a constant body. Sends `{port}` to the parent over IPC and
// stops on SIGTERM or when the parent goes away.
import Fastify, { type FastifyInstance } from "fastify";
import { buildApp } from "../src/app.js";
import { systemClock } from "../src/clock.js";
import { loadConfig } from "../src/config/load.js";
import { systemLoadOptions } from "../src/config/system.js";
import { casefold } from "../src/crypto/casefold.js";
import { cryptoRandom } from "../src/crypto/random.js";
import { signingKeyFromSeed } from "../src/crypto/signing-key.js";
import { loadOrCreatePepper } from "../src/domain/pepper.js";
import { MatrixError } from "../src/errors.js";
import type { Authenticator } from "../src/http/auth.js";
import { createLogger } from "../src/log.js";
import { openStore } from "../src/store/open.js";
import type { Store } from "../src/store/store.js";
import { LOOKUP_PATH } from "./workload.js";

/**
 * Checks the bearer token against the accounts table, one query per request, as the accounts
 * authenticator does (no terms are configured in the benchmark, so there is no terms gate).
 */
function storeAuthenticator(store: Store): Authenticator {
  return {
    async authenticate(token) {
      const account = token === undefined ? undefined : await store.accounts.accountForToken(token);
      if (account === undefined) throw new MatrixError("M_UNAUTHORIZED", "Unauthorized");
      return account.userId;
    },
  };
}

async function cairn(configPath: string): Promise<{ app: FastifyInstance; close(): Promise<void> }> {
  const { config } = await loadConfig({ ...systemLoadOptions(), path: configPath, casefold });
  const store = await openStore(config);
  const app = buildApp({
    config,
    store,
    serverKey: signingKeyFromSeed(config.crypto.signingKey.seed, config.crypto.signingKey.version),
    clock: systemClock,
    random: cryptoRandom,
    log: createLogger(config.general),
    auth: storeAuthenticator(store),
    pepper: await loadOrCreatePepper(store.hashing, cryptoRandom),
  });
  return { app, close: () => app.close().then(() => store.close()) };
}

function bare(): { app: FastifyInstance; close(): Promise<void> } {
  const app = Fastify();
  const body = { mappings: {} };
  app.post(LOOKUP_PATH, async () => body);
  return { app, close: () => app.close() };
}

async function main(): Promise<void> {
  const [mode, configPath] = process.argv.slice(2);
  const target = mode === "cairn" && configPath ? await cairn(configPath) : bare();
  await target.app.listen({ host: "127.0.0.1", port: 0 });
  const address = target.app.server.address();
  if (address === null || typeof address === "string") throw new Error("no TCP address");
  const stop = () => void target.close().finally(() => process.exit(0));
  process.once("SIGTERM", stop);
  process.once("disconnect", stop);
  process.send?.({ port: address.port });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
