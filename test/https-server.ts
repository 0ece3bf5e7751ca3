// Real HTTPS servers on loopback standing in for homeservers and .well-known hosts: they record
// every TCP connection accepted and every request, and answer through a handler the test gives.
import { once } from "node:events";
import type { IncomingHttpHeaders, ServerResponse } from "node:http";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import type { Resolver } from "../src/federation/dns.js";
import type { SrvAnswer, SrvRecord } from "../src/federation/dns-srv.js";

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** Which TLS connection (1, 2, ...) carried the request. */
  connection: number;
  /** The TLS server name the client sent, or false for none. */
  servername: string | false;
}

export type Handler = (req: RecordedRequest, res: ServerResponse) => void;

export interface TestHttpsServer {
  host: string;
  port: number;
  /** TCP connections accepted so far. */
  readonly accepts: number;
  requests: RecordedRequest[];
  /** Replaces the handler. */
  handle(handler: Handler): void;
  close(): Promise<void>;
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

export async function startHttpsServer(
  cert: { key: string; cert: string },
  handler: Handler,
  host = "127.0.0.1",
  /** 0: any free port. A given one lets a test bring a server "back up" where it was. */
  port = 0,
): Promise<TestHttpsServer> {
  let accepts = 0;
  let current = handler;
  const requests: RecordedRequest[] = [];
  const ids = new WeakMap<object, number>();
  const server = createServer({ key: cert.key, cert: cert.cert }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const socket = req.socket as typeof req.socket & { servername?: string | false };
      const recorded: RecordedRequest = {
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
        connection: ids.get(req.socket) ?? 0,
        servername: socket.servername ?? false,
      };
      requests.push(recorded);
      current(recorded, res);
    });
  });
  let handshakes = 0;
  server.on("connection", () => accepts++);
  server.on("secureConnection", (socket: object) => ids.set(socket, ++handshakes));
  server.listen(port, host);
  await once(server, "listening");
  return {
    host,
    port: (server.address() as AddressInfo).port,
    get accepts() {
      return accepts;
    },
    requests,
    handle(next) {
      current = next;
    },
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, "close");
    },
  };
}

/** A resolver answering from tables: host names to addresses, SRV names to records. */
export function fakeResolver(
  hosts: Record<string, string[]>,
  srv: Record<string, SrvRecord[] | Error> = {},
  ttlSeconds = 300,
): Resolver & { srvQueries: string[]; lookups: string[] } {
  const srvQueries: string[] = [];
  const lookups: string[] = [];
  return {
    srvQueries,
    lookups,
    async lookup(host) {
      lookups.push(host);
      return hosts[host] ?? [];
    },
    async srv(name): Promise<SrvAnswer> {
      srvQueries.push(name);
      const answer = srv[name];
      if (answer instanceof Error) throw answer;
      return { records: answer ?? [], ttlSeconds };
    },
  };
}
