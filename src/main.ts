// The server process: load config -> logger -> store -> deps -> listeners; SIGTERM/SIGINT drain
// in-flight requests, close the store and exit. Every start-up failure ends in one clear message.
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import type { FastifyInstance } from "fastify";
import { buildApp, buildInternalApp } from "./app.js";
import { systemClock } from "./clock.js";
import { loadConfig } from "./config/load.js";
import { systemLoadOptions } from "./config/system.js";
import { openTermsFile } from "./config/terms-file.js";
import { casefold } from "./crypto/casefold.js";
import { cryptoRandom } from "./crypto/random.js";
import type { Deps } from "./deps.js";
import { createDeps } from "./deps-build.js";
import { federationClientFromConfig } from "./federation/client.js";
import { createIpDenyList } from "./federation/deny-list.js";
import { systemResolver } from "./federation/dns.js";
import { createDenyListFetch, fetchLike } from "./federation/fetch.js";
import { startPeriodic } from "./jobs/periodic.js";
import { inviteExpiryJob } from "./jobs/invite-expiry.js";
import { createOnbindDelivery, type OnbindDelivery } from "./jobs/onbind-delivery.js";
import { sessionCleanupJob } from "./jobs/session-cleanup.js";
import { createLogger } from "./log.js";
import { clientTls, ClientTlsError } from "./http/tls-listener.js";
import { createMetrics } from "./metrics/metrics.js";
import { startMetricsServer } from "./metrics/server.js";
import type { ConnectTo } from "./replication/push-client.js";
import { startReplication, type RunningReplication } from "./replication/service.js";
import { loadReplicationTls, ReplicationTlsError } from "./replication/tls.js";
import { startSentry } from "./sentry.js";
import { CONNECT_TIMEOUT_MS } from "./senders/sms/http.js";
import { openStore } from "./store/open.js";
import { cairnVersion } from "./version.js";

export interface RunningServer {
  deps: Deps;
  client: FastifyInstance;
  /** Where the client API listens, e.g. `http://[::]:8090`. */
  clientUrl: string;
  /** Where the internal API listens; null without `internalapi.http.port`. */
  internalUrl: string | null;
  /** Where the replication listener listens (`https://...`); null when replication is not configured. */
  replicationUrl: string | null;
  /** Stops accepting, waits for in-flight requests (at most `drainMs`), closes the store. */
  close(): Promise<void>;
  /** SIGHUP: re-reads the client API certificate and key, if HTTPS is on. */
  reload(): void;
}

export interface StartOptions {
  /** `--config PATH`; else `$SYDENT_CONF`, else `sydent.conf`. */
  configPath?: string;
  /** How long SIGTERM waits for in-flight requests before closing anyway. */
  drainMs?: number;
  /** Where replication pushes connect for a peer's host name (tests point names at loopback). */
  replicationConnectTo?: ConnectTo;
}

export class StartupError extends Error {
  override name = "StartupError";
}

async function listen(app: FastifyInstance, host: string, port: number, what: string): Promise<string> {
  try {
    return await app.listen({ host, port, backlog: 50 });
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new StartupError(`cannot listen for the ${what} on [${host}]:${port}: ${reason}`);
  }
}

export async function startServer(options: StartOptions = {}): Promise<RunningServer> {
  const loaded = await loadConfig({ ...systemLoadOptions(), path: options.configPath, casefold });
  const { config } = loaded;
  const { sentryDsn, serverName } = config.general;
  const reporter = sentryDsn
    ? await startSentry({ dsn: sentryDsn, serverName, release: `cairn@${cairnVersion()}` })
    : undefined;
  const log = createLogger(config.general, systemClock, reporter);
  for (const warning of loaded.warnings) log.warn(warning);
  if (loaded.written) log.info({ file: config.path, why: loaded.written }, "wrote the config file");
  const terms = await openTermsFile(config, systemClock, log);
  let https;
  try {
    https = clientTls(config.http, log);
  } catch (err) {
    if (err instanceof ClientTlsError) throw new StartupError(err.message);
    throw err;
  }

  let store;
  try {
    store = await openStore(config);
  } catch (err) {
    const where = config.postgres.url !== "" ? "the PostgreSQL database" : `the database ${config.db.file}`;
    throw new StartupError(`cannot open ${where}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const random = cryptoRandom;
  const clock = systemClock;
  const metrics = createMetrics({ connections: store.connections });
  let replication: RunningReplication | null = null;
  let onbind: OnbindDelivery | null = null;
  const resolver = systemResolver(random);
  const federation = federationClientFromConfig(config, { resolver, clock, random });
  // SMS providers are reached through the same IP deny-list (§7.7), with full TLS checks and
  // Sydent's 15 s connect timeout.
  const smsFetch = createDenyListFetch({
    resolver,
    denyList: createIpDenyList(config.general.ipBlacklist, config.general.ipWhitelist),
    connectTimeoutMs: CONNECT_TIMEOUT_MS,
  });
  const deps = await createDeps(config, {
    store,
    clock,
    random,
    log,
    terms,
    metrics,
    federation,
    fetch: fetchLike(smsFetch),
    replication: { poke: () => replication?.poke() },
    onbind: { kick: () => onbind?.kick() },
  });

  const client = buildApp(deps, https?.serverFactory);
  let clientUrl: string;
  try {
    clientUrl = await listen(client, config.http.clientBindAddress, config.http.clientPort, "client API");
    // Fastify names the listener http: it does not know the server it was given speaks TLS.
    if (https) clientUrl = clientUrl.replace(/^http:/, "https:");
  } catch (err) {
    await store.close();
    throw err;
  }
  const { internalBindAddress, internalPort } = config.http;
  let internal: FastifyInstance | null = null;
  let internalUrl: string | null = null;
  if (internalPort !== null) {
    internal = buildInternalApp(deps);
    try {
      internalUrl = await listen(internal, internalBindAddress, internalPort, "internal API");
    } catch (err) {
      await client.close();
      await store.close();
      throw err;
    }
    log.info({ url: internalUrl }, "internal API listening");
  }
  try {
    const tls = loadReplicationTls(config.http, (path) => readFileSync(resolve(path), "utf8"), log);
    replication = await startReplication(deps, tls, { connectTo: options.replicationConnectTo });
  } catch (err) {
    await client.close();
    await internal?.close();
    await store.close();
    if (err instanceof ReplicationTlsError) throw new StartupError(err.message);
    const { replicationBindAddress: host, replicationPort: port } = config.http;
    const reason = err instanceof Error ? err.message : String(err);
    throw new StartupError(`cannot listen for replication on [${host}]:${port}: ${reason}`);
  }
  const { prometheusAddr, prometheusPort } = config.general;
  const metricsServer =
    prometheusAddr !== null && prometheusPort !== null
      ? await startMetricsServer(deps.metrics.registry, prometheusAddr, prometheusPort).catch(
          async (err: unknown) => {
            await replication?.close();
            await client.close();
            await internal?.close();
            await store.close();
            throw new StartupError(
              `cannot listen for metrics on [${prometheusAddr}]:${prometheusPort}: ${err instanceof Error ? err.message : String(err)}`,
            );
          },
        )
      : null;
  const pidfile = config.general.pidfilePath === "" ? null : resolve(config.general.pidfilePath);
  if (pidfile) writeFileSync(pidfile, `${process.pid}\n`);
  log.info({ url: clientUrl, server: config.general.serverName, engine: store.engine }, "Cairn is serving");
  onbind = createOnbindDelivery(deps);
  onbind.start();
  const jobs = startPeriodic([sessionCleanupJob(deps), inviteExpiryJob(deps)], {
    leases: store.leases,
    clock: deps.clock,
    log,
  });

  const drainMs = options.drainMs ?? 10_000;
  let closing: Promise<void> | null = null;
  const close = () =>
    (closing ??= (async () => {
      const timer = setTimeout(() => {
        client.server.closeAllConnections();
        internal?.server.closeAllConnections();
        replication?.listener?.app.server.closeAllConnections();
      }, drainMs);
      await Promise.all([client.close(), internal?.close(), replication?.close(drainMs)]);
      clearTimeout(timer);
      metricsServer?.close();
      await Promise.all([jobs.stop(), onbind?.stop()]);
      await Promise.all([federation.close(), smsFetch.close()]);
      await store.close();
      if (pidfile) rmSync(pidfile, { force: true });
      log.info("stopped");
      log.flush();
      await reporter?.close(2000);
    })());
  const replicationUrl = replication?.listener?.url ?? null;
  const reload = () => {
    if (https) https.reload();
    else log.info("SIGHUP: the client API is plain HTTP, nothing to reload");
  };
  return { deps, client, clientUrl, internalUrl, replicationUrl, close, reload };
}
