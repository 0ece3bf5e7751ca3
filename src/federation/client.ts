// The FederationClient: server discovery (resolve.ts), then one HTTPS exchange over a pooled
// connection opened through the IP deny-list, with federation's TLS rules
// (`federation.verifycerts`), a deadline and a cap on the reply size.
import type { SecureContextOptions } from "node:tls";
import { Agent } from "undici";
import type { Clock } from "../clock.js";
import type { Config } from "../config/types.js";
import type { Random } from "../crypto/random.js";
import { checkedConnector, hostPort } from "./connect.js";
import { createIpDenyList } from "./deny-list.js";
import type { IpDenyList } from "./deny-list.js";
import type { Resolver } from "./dns.js";
import { createDenyListFetch } from "./fetch.js";
import { abortable, deadline, exchange } from "./http.js";
import { createServerResolver } from "./resolve.js";
import type { ServerResolver, Target } from "./resolve.js";
import { createSrvCache } from "./srv.js";
import type { FederationClient } from "./types.js";
import { createWellKnownResolver } from "./well-known.js";

export interface FederationClientOptions {
  resolver: Resolver;
  denyList: IpDenyList;
  /** `federation.verifycerts`: true checks the certificate chain (not the host name), false nothing. */
  verifyCerts: boolean;
  clock: Clock;
  random: Random;
  /** Trusted roots instead of Node's bundled ones (tests, or a private CA). */
  ca?: SecureContextOptions["ca"];
  /** Port of discovery's last step and of bare IP literals: 8448 (tests use another). */
  federationPort?: number;
  /** Port the .well-known is fetched from: 443 (tests use another). */
  httpsPort?: number;
  /** Per TCP connection attempt, and again per TLS handshake. Default 10 s. */
  connectTimeoutMs?: number;
  /** Default whole-request deadline (discovery included). Default 30 s. */
  timeoutMs?: number;
  /** Deadline of a .well-known fetch, after which the host counts as not delegating. Default 10 s. */
  wellKnownTimeoutMs?: number;
  /** Default cap on a reply body. Default 64 KiB. */
  maxBytes?: number;
}

export interface ClosableFederationClient extends FederationClient {
  /** Where requests for a server name go (discovery only, cached like requests). */
  readonly discovery: ServerResolver;
  /** Closes idle connections; requests in flight finish first. */
  close(): Promise<void>;
}

/** Connections kept per target; Sydent (Twisted's pool) keeps 5 and drops them after 2 min idle. */
const CONNECTIONS_PER_TARGET = 5;
const IDLE_MS = 120_000;
const MAX_REMEMBERED_ADDRESSES = 1000;

export function createFederationClient(options: FederationClientOptions): ClosableFederationClient {
  const connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
  const policy = {
    resolver: options.resolver,
    denyList: options.denyList,
    ca: options.ca,
    connectTimeoutMs,
  };
  const wellKnownFetch = createDenyListFetch({ ...policy, httpsPort: options.httpsPort });
  const discovery = createServerResolver({
    wellKnown: createWellKnownResolver({
      fetch: wellKnownFetch,
      clock: options.clock,
      random: options.random,
      timeoutMs: options.wellKnownTimeoutMs ?? 10_000,
    }),
    srv: createSrvCache(options.resolver, options.clock),
    random: options.random,
    federationPort: options.federationPort,
  });
  // The address each origin's latest connection went to, for messages.
  const connected = new Map<string, string>();
  const agent = new Agent({
    connect: checkedConnector(
      { ...policy, verify: options.verifyCerts ? "chain" : "none" },
      (origin, address) => {
        connected.set(origin, address);
        if (connected.size > MAX_REMEMBERED_ADDRESSES)
          connected.delete(connected.keys().next().value as string);
      },
    ),
    connections: CONNECTIONS_PER_TARGET,
    keepAliveTimeout: IDLE_MS,
    keepAliveMaxTimeout: IDLE_MS,
  });

  return {
    discovery,
    async request(serverName, request) {
      let target: Target | null = null;
      const origin = () => (target ? `https://${hostPort(target.host, target.port)}` : "");
      const peer = () => {
        if (!target) return serverName;
        const address = connected.get(origin()) ?? hostPort(target.host, target.port);
        return address === serverName ? serverName : `${serverName} (${address})`;
      };
      const timer = deadline(request.timeoutMs ?? options.timeoutMs ?? 30_000, () =>
        target ? `waiting for ${peer()}` : `finding the server for ${serverName}`,
      );
      try {
        target = await abortable(discovery.resolve(serverName, { signal: timer.signal }), timer.signal);
        const headers: Record<string, string> = { host: target.hostHeader };
        if (request.json !== undefined) headers["content-type"] = "application/json";
        return await exchange(agent, {
          origin: origin(),
          method: request.method,
          path: request.path,
          headers,
          body: request.json === undefined ? undefined : JSON.stringify(request.json),
          maxBytes: request.maxBytes ?? options.maxBytes ?? 64 * 1024,
          signal: timer.signal,
          peer,
        });
      } finally {
        timer.clear();
      }
    },
    async close() {
      await Promise.all([agent.close(), wellKnownFetch.close()]);
    },
  };
}

/** The client a running server uses: the deny-list and TLS rules of its configuration. */
export function federationClientFromConfig(
  config: Config,
  parts: Omit<FederationClientOptions, "denyList" | "verifyCerts">,
): ClosableFederationClient {
  return createFederationClient({
    ...parts,
    denyList: createIpDenyList(config.general.ipBlacklist, config.general.ipWhitelist),
    verifyCerts: config.http.federationVerifyCerts,
  });
}
