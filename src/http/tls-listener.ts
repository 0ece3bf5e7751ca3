// HTTPS for the client API (`[http] clientapi.https.certfile` / `keyfile`): the node server Fastify
// listens with, and the certificate reload on SIGHUP. A reload swaps the secure context of the
// listening server: connections already open keep theirs, new ones get the new certificate.
import { readFileSync } from "node:fs";
import { createServer, type Server as HttpsServer } from "node:https";
import type { Server as HttpServer } from "node:http";
import { resolve } from "node:path";
import { createSecureContext, type SecureContextOptions } from "node:tls";
import type { FastifyBaseLogger, FastifyServerFactory } from "fastify";

export interface ClientTlsFiles {
  clientCertFile: string;
  clientKeyFile: string;
}

export interface ClientTls {
  /** Builds the HTTPS server of the client listener (for `buildApp`). */
  serverFactory: FastifyServerFactory;
  /** Re-reads both files; keeps the current certificate (and logs why) when they do not load. */
  reload(): void;
}

export class ClientTlsError extends Error {
  override name = "ClientTlsError";
}

/** Reads the key and certificate and checks that they load (and match) as a TLS context would. */
function loadSecureOptions(files: ClientTlsFiles): SecureContextOptions {
  const read = (path: string) => readFileSync(resolve(path));
  const options: SecureContextOptions = {
    cert: read(files.clientCertFile),
    key: read(files.clientKeyFile),
    minVersion: "TLSv1.2",
  };
  createSecureContext(options);
  return options;
}

/** `null` when the client API is plain HTTP; throws ClientTlsError when the files do not load. */
export function clientTls(files: ClientTlsFiles, log: FastifyBaseLogger): ClientTls | null {
  if (files.clientCertFile === "" && files.clientKeyFile === "") return null;
  let initial: SecureContextOptions;
  try {
    initial = loadSecureOptions(files);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new ClientTlsError(
      `cannot load the client API certificate ${files.clientCertFile} with key ${files.clientKeyFile}: ${reason}`,
    );
  }
  let server: HttpsServer | null = null;
  return {
    serverFactory: (handler) => {
      server = createServer(initial, handler);
      // An https.Server serves requests exactly as the http.Server Fastify's types expect.
      return server as unknown as HttpServer;
    },
    reload() {
      try {
        const options = loadSecureOptions(files);
        server?.setSecureContext(options);
        log.info({ certFile: files.clientCertFile }, "reloaded the client API certificate");
      } catch (err) {
        log.error(
          {
            certFile: files.clientCertFile,
            keyFile: files.clientKeyFile,
            reason: err instanceof Error ? err.message : String(err),
          },
          "cannot reload the client API certificate; keeping the current one",
        );
      }
    },
  };
}
