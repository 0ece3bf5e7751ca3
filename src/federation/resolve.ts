// `matrix://` server discovery (server-server API, "Resolving server names"; Sydent §7.1):
// IP literal -> explicit port -> /.well-known/matrix/server (once) -> SRV _matrix-fed._tcp, then
// _matrix._tcp -> port 8448. The result says where to connect and what Host and SNI to send.
import type { Random } from "../crypto/random.js";
import type { SrvRecord } from "./dns-srv.js";
import { abortable } from "./http.js";
import { ipLiteral, parseServerName } from "./server-name.js";
import type { ServerName } from "./server-name.js";
import type { SrvCache, SrvLookup } from "./srv.js";
import { pickSrvRecord } from "./srv.js";
import { FederationError } from "./types.js";
import type { WellKnownResolver, WellKnownResult } from "./well-known.js";

export { isValidServerName } from "./server-name.js";

export const FEDERATION_PORT = 8448;

export interface Target {
  /** The server name whose rules produced the target: the one asked for, or its delegate. */
  serverName: string;
  /** Host name or IP address (no brackets) to connect to. */
  host: string;
  port: number;
  /** The Host header to send. */
  hostHeader: string;
  /** The TLS server name to send; null for IP literals. */
  sni: string | null;
}

/** One step of discovery, reported as it happens (for `cairn doctor`). */
export type ResolveStep =
  | { step: "ip_literal"; serverName: string; ip: string; port: number; defaultPort: boolean }
  | { step: "explicit_port"; serverName: string; host: string; port: number }
  | { step: "well_known"; host: string; result: WellKnownResult }
  | { step: "srv"; name: string; lookup: SrvLookup; chosen?: SrvRecord }
  | { step: "default_port"; serverName: string; host: string; port: number };

export interface ResolveOptions {
  signal?: AbortSignal;
  trace?: (step: ResolveStep) => void;
}

export interface ServerResolver {
  /** Where to send requests for `serverName`. Throws FederationError (invalid name, DNS). */
  resolve(serverName: string, options?: ResolveOptions): Promise<Target>;
}

export interface ServerResolverOptions {
  wellKnown: WellKnownResolver;
  srv: SrvCache;
  random: Random;
  /** The port of the last step and of IP literals without one: 8448 (tests use another). */
  federationPort?: number;
}

const SRV_SERVICES = ["_matrix-fed._tcp.", "_matrix._tcp."];

export function createServerResolver(options: ServerResolverOptions): ServerResolver {
  const defaultPort = options.federationPort ?? FEDERATION_PORT;

  async function fromName(
    name: string,
    parsed: ServerName,
    delegated: boolean,
    opts: ResolveOptions,
  ): Promise<Target> {
    const trace = opts.trace ?? (() => undefined);
    const signal = opts.signal ?? new AbortController().signal;
    const ip = ipLiteral(parsed.host);
    if (ip !== null) {
      const port = parsed.port ?? defaultPort;
      trace({ step: "ip_literal", serverName: name, ip, port, defaultPort: parsed.port === null });
      return { serverName: name, host: ip, port, hostHeader: name, sni: null };
    }
    const host = parsed.host;
    if (parsed.port !== null) {
      trace({ step: "explicit_port", serverName: name, host, port: parsed.port });
      return { serverName: name, host, port: parsed.port, hostHeader: name, sni: host };
    }
    if (!delegated) {
      const result = await options.wellKnown.lookup(host, signal);
      trace({ step: "well_known", host, result });
      if (result.server !== null) {
        const delegate = parseServerName(result.server);
        if (delegate) return fromName(result.server, delegate, true, opts);
      }
    }
    for (const service of SRV_SERVICES) {
      const lookup = await abortable(options.srv.lookup(service + host), signal);
      const chosen = pickSrvRecord(lookup.records, options.random);
      trace({ step: "srv", name: service + host, lookup, chosen });
      if (chosen)
        return { serverName: name, host: chosen.name, port: chosen.port, hostHeader: name, sni: host };
    }
    trace({ step: "default_port", serverName: name, host, port: defaultPort });
    return { serverName: name, host, port: defaultPort, hostHeader: name, sni: host };
  }

  return {
    resolve(serverName, opts = {}) {
      const parsed = parseServerName(serverName);
      if (parsed === null) {
        return Promise.reject(
          new FederationError(
            "invalid_server_name",
            `not a valid Matrix server name: ${JSON.stringify(serverName)}`,
          ),
        );
      }
      return fromName(serverName, parsed, false, opts);
    },
  };
}
