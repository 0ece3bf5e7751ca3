// The replication certificate and trust root (`[http] replication.https.certfile` and `cacert`):
// one PEM file holding the private key and the certificate, used as the listener's certificate
// and as the client certificate of pushes; the CA is the only root peers' certificates may chain
// to, in both directions (Sydent falls back to the system's CAs when it is not set, and so do we).
import { X509Certificate } from "node:crypto";
import { createSecureContext } from "node:tls";
import type { Logger } from "pino";
import type { Config } from "../config/types.js";

export interface ReplicationTls {
  /** PEM text with the private key and the certificate (chain), as the certfile holds them. */
  pem: string;
  /** PEM CA certificate(s); undefined: the system's CAs. */
  ca: string | undefined;
  /** The common name of our certificate: peers know us by it. */
  commonName: string;
}

export class ReplicationTlsError extends Error {
  override name = "ReplicationTlsError";
}

/** The first CN of a distinguished name as Node prints it (`CN=a\nO=b`, or an object from a socket). */
export function commonNameOf(subject: string | Record<string, unknown> | undefined): string | undefined {
  if (subject === undefined) return undefined;
  if (typeof subject === "string") {
    return /^CN=(.*)$/m.exec(subject)?.[1];
  }
  const cn = subject.CN;
  if (Array.isArray(cn)) return typeof cn[0] === "string" ? cn[0] : undefined;
  return typeof cn === "string" ? cn : undefined;
}

/**
 * Reads the certificate files. `null` when no certfile is configured or it cannot be read (as in
 * Sydent: no replication listener, and nothing can be pushed; logged). Throws
 * ReplicationTlsError when a file is readable but not a usable key, certificate or CA, which
 * Sydent also refuses at start-up.
 */
export function loadReplicationTls(
  http: Pick<Config["http"], "replicationCertFile" | "replicationCaCertFile">,
  readText: (path: string) => string,
  log: Logger,
): ReplicationTls | null {
  const certFile = http.replicationCertFile;
  if (certFile === "") return null;
  let pem: string;
  try {
    pem = readText(certFile);
  } catch (err) {
    log.error(
      { err, file: certFile },
      "cannot read the replication certificate: no replication listener, no pushes",
    );
    return null;
  }
  const caFile = http.replicationCaCertFile;
  let ca: string | undefined;
  try {
    ca = caFile === "" ? undefined : readText(caFile);
  } catch (err) {
    throw new ReplicationTlsError(`cannot read the replication CA ${caFile}: ${String(err)}`);
  }
  let commonName: string | undefined;
  try {
    createSecureContext({ key: pem, cert: pem, ca });
    commonName = commonNameOf(new X509Certificate(pem).subject);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new ReplicationTlsError(
      `the replication certificate ${certFile} (private key and certificate in one PEM file)` +
        `${ca === undefined ? "" : ` or the CA ${caFile}`} cannot be used: ${reason}`,
    );
  }
  if (commonName === undefined) {
    throw new ReplicationTlsError(`the replication certificate ${certFile} has no common name (CN)`);
  }
  return { pem, ca, commonName };
}
