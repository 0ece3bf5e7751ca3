// The HTTPS client pushes go out with: our replication certificate as client certificate, the
// peer's checked against the replication CA and the URL's host name, Sydent's headers, a timeout,
// and connections kept alive between the batches of a catch-up.
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { isIP } from "node:net";
import { checkServerIdentity } from "node:tls";
import type { ReplicationTls } from "./tls.js";

/** Peers do not look at it; Sydent sends `Sydent`, and a mixed mesh is easier to read with ours. */
export const USER_AGENT = "Cairn";

/** How much of a refusal's body is kept for the log. */
const MAX_ERROR_BODY = 64 * 1024;

export interface PushResponse {
  status: number;
  /** The start of the response body (at most 64 KiB), for the log. */
  body: string;
}

/** Where to open the connection for a URL's host and port (default: the URL's own, via DNS). */
export type ConnectTo = (host: string, port: number) => { host: string; port: number };

export interface PushClientOptions {
  tls: ReplicationTls;
  timeoutMs: number;
  connectTo?: ConnectTo;
}

export interface PushClient {
  /** POSTs `body` (JSON text) to `url`; rejects on network, TLS and timeout errors. */
  post(url: string, body: string): Promise<PushResponse>;
  /** Closes kept-alive connections and aborts requests in flight. */
  close(): void;
}

function readStart(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on("data", (chunk: Buffer) => {
      if (size < MAX_ERROR_BODY) chunks.push(chunk);
      size += chunk.length;
    });
    res.on("end", () => resolve(Buffer.concat(chunks).subarray(0, MAX_ERROR_BODY).toString("utf8")));
    res.on("error", reject);
  });
}

export function createPushClient(options: PushClientOptions): PushClient {
  const { tls, timeoutMs } = options;
  const httpsAgent = new HttpsAgent({ keepAlive: true });
  // base_replication_url may name plain HTTP (a TLS-terminating proxy in front of the peer).
  const httpAgent = new HttpAgent({ keepAlive: true });
  const inFlight = new Set<{ destroy(error?: Error): void }>();

  const post = (urlText: string, body: string): Promise<PushResponse> =>
    new Promise((resolve, reject) => {
      const url = new URL(urlText);
      const secure = url.protocol === "https:";
      const hostname = url.hostname.replace(/^\[(.*)\]$/, "$1");
      const port = Number(url.port || (secure ? 443 : 80));
      const target = options.connectTo?.(hostname, port) ?? { host: hostname, port };
      const common = {
        method: "POST",
        host: target.host,
        port: target.port,
        path: `${url.pathname}${url.search}`,
        headers: {
          Host: url.host,
          "Content-Type": "application/json",
          "Content-Length": Buffer.byteLength(body),
          "User-Agent": USER_AGENT,
        },
        timeout: timeoutMs,
      };
      const onResponse = (res: IncomingMessage) => {
        readStart(res).then((text) => resolve({ status: res.statusCode ?? 0, body: text }), reject);
      };
      const req = secure
        ? httpsRequest(
            {
              ...common,
              agent: httpsAgent,
              key: tls.pem,
              cert: tls.pem,
              ca: tls.ca,
              servername: isIP(hostname) === 0 ? hostname : undefined,
              // Against the URL's host even when connectTo sends the connection elsewhere.
              checkServerIdentity: (_host, cert) => checkServerIdentity(hostname, cert),
            },
            onResponse,
          )
        : httpRequest({ ...common, agent: httpAgent }, onResponse);
      inFlight.add(req);
      req.on("close", () => inFlight.delete(req));
      req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      req.on("error", reject);
      req.end(body);
    });

  return {
    post,
    close() {
      for (const req of inFlight) req.destroy(new Error("replication is stopping"));
      httpsAgent.destroy();
      httpAgent.destroy();
    },
  };
}
