// Opening a connection for an outbound request: resolve the host, refuse it when any address is
// deny-listed (before any TCP connection is attempted), connect, then TLS as the caller's policy
// says. Failures are FederationErrors whose messages say what happened and where.
import { isIP, Socket } from "node:net";
import { checkServerIdentity, connect as tlsConnect } from "node:tls";
import type { SecureContextOptions, TLSSocket } from "node:tls";
import type { buildConnector } from "undici";
import type { IpDenyList } from "./deny-list.js";
import type { Resolver } from "./dns.js";
import { FederationError } from "./types.js";

/**
 * `chain`: the certificate chain must be trusted, the host name is not checked (federation with
 * `federation.verifycerts = true`, as Sydent and Synapse). `full`: chain and host name (the
 * .well-known fetch and plain HTTPS). `none`: anything goes (`federation.verifycerts = false`).
 */
export type TlsVerify = "chain" | "full" | "none";

export interface ConnectPolicy {
  resolver: Resolver;
  denyList: IpDenyList;
  verify: TlsVerify;
  /** Trusted roots instead of Node's bundled ones (tests, or a private CA). */
  ca?: SecureContextOptions["ca"];
  /** For the TCP connection and, again, for the TLS handshake. */
  connectTimeoutMs: number;
}

export interface Endpoint {
  /** Host name or IP address (no brackets) to connect to. */
  host: string;
  port: number;
  /** TLS server name indication; null for none (IP literals). */
  sni: string | null;
  /** False for plain http: (allowed only through the deny-list fetch). */
  tls: boolean;
}

export interface Connection {
  socket: Socket;
  /** The address connected to, `ip:port` (`[v6]:port`). */
  address: string;
}

/** `1.2.3.4:8448`, `[::1]:8448`. */
export const hostPort = (ip: string, port: number): string => `${isIP(ip) === 6 ? `[${ip}]` : ip}:${port}`;

/** The addresses of `host` that may be connected to; throws `dns` or `blocked` otherwise. */
export async function vetAddresses(
  host: string,
  resolver: Resolver,
  denyList: IpDenyList,
): Promise<string[]> {
  let addresses: string[];
  if (isIP(host) !== 0) {
    addresses = [host];
  } else {
    try {
      addresses = await resolver.lookup(host);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.message : String(err));
      throw new FederationError("dns", `DNS: lookup of ${host} failed (${code})`);
    }
    if (addresses.length === 0) throw new FederationError("dns", `DNS: no address for ${host}`);
  }
  for (const address of addresses) {
    const verdict = denyList.check(address);
    if (verdict.allowed) continue;
    const what = address === host ? address : `${host} resolves to ${address}, which`;
    throw new FederationError(
      "blocked",
      `${what} is blocked by the IP deny-list (${verdict.blacklistedBy}); not connecting to ${host} at all`,
    );
  }
  return addresses;
}

/** Connects to the first address of the endpoint that answers, then does TLS. */
export async function openConnection(endpoint: Endpoint, policy: ConnectPolicy): Promise<Connection> {
  const addresses = await vetAddresses(endpoint.host, policy.resolver, policy.denyList);
  const failures: TcpFailure[] = [];
  for (const ip of addresses) {
    const address = hostPort(ip, endpoint.port);
    let socket: Socket;
    try {
      socket = await tcpConnect(ip, endpoint.port, policy.connectTimeoutMs);
    } catch (err) {
      if (!(err instanceof TcpFailure)) throw err;
      failures.push(err);
      continue;
    }
    if (!endpoint.tls) return { socket, address };
    const where = isIP(endpoint.host) !== 0 ? address : `${endpoint.host} (${address})`;
    return { socket: await handshake(socket, endpoint, where, policy), address };
  }
  const [only] = failures;
  if (only && failures.length === 1) {
    const where = isIP(endpoint.host) !== 0 ? only.address : `${endpoint.host} (${only.address})`;
    throw new FederationError(
      only.timedOut ? "timeout" : "connect",
      only.timedOut
        ? `${only.reason} connecting to ${where}`
        : `could not connect to ${where}: ${only.reason}`,
    );
  }
  throw new FederationError(
    failures.every((f) => f.timedOut) ? "timeout" : "connect",
    `could not connect to ${endpoint.host}: ${failures.map((f) => `${f.address} ${f.reason}`).join("; ")}`,
  );
}

/** An undici `connect` function opening every connection through openConnection. */
export function checkedConnector(
  policy: ConnectPolicy,
  onConnected: (origin: string, address: string) => void = () => undefined,
): buildConnector.connector {
  return (options, callback) => {
    const tls = options.protocol === "https:";
    const port = Number(options.port) || (tls ? 443 : 80);
    const sni = options.servername || (isIP(options.hostname) === 0 ? options.hostname : null);
    openConnection({ host: options.hostname, port, sni, tls }, policy).then(
      ({ socket, address }) => {
        onConnected(`${options.protocol}//${hostPort(options.hostname, port)}`, address);
        callback(null, socket);
      },
      (err: Error) => callback(err, null),
    );
  };
}

const CONNECT_ERRORS: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset",
  EHOSTUNREACH: "no route to host",
  ENETUNREACH: "network unreachable",
  EADDRNOTAVAIL: "address not available",
};

class TcpFailure extends Error {
  constructor(
    readonly address: string,
    readonly reason: string,
    readonly timedOut: boolean,
  ) {
    super(`${address} ${reason}`);
  }
}

function tcpConnect(ip: string, port: number, timeoutMs: number): Promise<Socket> {
  const address = hostPort(ip, port);
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new TcpFailure(address, `timed out after ${seconds(timeoutMs)}`, true));
    }, timeoutMs);
    socket.once("error", (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        new TcpFailure(
          address,
          CONNECT_ERRORS[err.code ?? ""] ?? `failed (${err.code ?? err.message})`,
          false,
        ),
      );
    });
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.removeAllListeners("error");
      // As undici's own connector: no Nagle delay, TCP keep-alive on pooled connections.
      socket.setNoDelay(true);
      socket.setKeepAlive(true, 60_000);
      resolve(socket);
    });
    socket.connect({ host: ip, port });
  });
}

const UNTRUSTED: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: "self-signed",
  SELF_SIGNED_CERT_IN_CHAIN: "its chain ends in a self-signed certificate that is not trusted",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "issued by an unknown authority",
  UNABLE_TO_GET_ISSUER_CERT: "issued by an unknown authority",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "issued by an unknown authority",
  CERT_HAS_EXPIRED: "expired",
  CERT_NOT_YET_VALID: "not yet valid",
  CERT_SIGNATURE_FAILURE: "bad signature",
  CERT_REVOKED: "revoked",
};

/** Plain words for a certificate verification error code (node's `authorizationError`). */
export function untrustedReason(code: string): string {
  return UNTRUSTED[code] ?? code.toLowerCase().replaceAll("_", " ");
}

function handshake(
  socket: Socket,
  endpoint: Endpoint,
  where: string,
  policy: ConnectPolicy,
): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const tlsSocket = tlsConnect({
      socket,
      servername: endpoint.sni ?? undefined,
      ca: policy.ca,
      rejectUnauthorized: policy.verify !== "none",
      checkServerIdentity: (_name, cert) =>
        policy.verify === "full" ? checkServerIdentity(endpoint.sni ?? endpoint.host, cert) : undefined,
    });
    const timer = setTimeout(() => {
      tlsSocket.destroy();
      reject(
        new FederationError(
          "timeout",
          `TLS: timed out after ${seconds(policy.connectTimeoutMs)} in the handshake with ${where}`,
        ),
      );
    }, policy.connectTimeoutMs);
    tlsSocket.once("error", (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      tlsSocket.destroy();
      const code = err.code ?? "";
      if (code === "ERR_TLS_CERT_ALTNAME_INVALID") {
        reject(
          new FederationError(
            "tls",
            `TLS: certificate of ${where} is not valid for ${endpoint.sni ?? endpoint.host}`,
          ),
        );
      } else if (code in UNTRUSTED || /CERT|SIGNATURE|ISSUER/.test(code)) {
        reject(
          new FederationError(
            "tls",
            `TLS: certificate of ${where} is not trusted (${untrustedReason(code)})`,
          ),
        );
      } else {
        reject(new FederationError("tls", `TLS: handshake with ${where} failed (${err.message})`));
      }
    });
    tlsSocket.once("secureConnect", () => {
      clearTimeout(timer);
      tlsSocket.removeAllListeners("error");
      resolve(tlsSocket);
    });
  });
}

/** `10 s`, `0.2 s`. */
export const seconds = (ms: number): string => `${Number((ms / 1000).toFixed(3))} s`;
