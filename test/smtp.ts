// A real SMTP server for tests (smtp-server on loopback) that keeps what it received, and a
// recording TCP proxy in front of any server to see the exact bytes a client sent.
import { once } from "node:events";
import net from "node:net";
import type { AddressInfo } from "node:net";
import { SMTPServer, type SMTPServerOptions, type SMTPServerSession } from "smtp-server";

export interface ReceivedMail {
  from: string;
  to: string[];
  /** The message as the server stored it (dot-unstuffed, CRLF line ends). */
  data: Buffer;
  /** The name the client gave in EHLO. */
  helo: string;
  secure: boolean;
  user: string | undefined;
}

export interface TestSmtpServer {
  port: number;
  received: ReceivedMail[];
  close(): Promise<void>;
}

const address = (a: { address: string } | false) => (a ? a.address : "");

/**
 * Starts smtp-server on 127.0.0.1 with `options` (logging off, AUTH optional and allowed without
 * TLS, no reverse DNS, closing in 200 ms). With `hangAfterData` the server keeps the message but never answers the final dot.
 */
export async function startSmtpServer(
  options: Omit<SMTPServerOptions, "onData"> = {},
  { hangAfterData = false } = {},
): Promise<TestSmtpServer> {
  const received: ReceivedMail[] = [];
  const server = new SMTPServer({
    logger: false,
    allowInsecureAuth: true,
    authOptional: true,
    disableReverseLookup: true,
    closeTimeout: 200,
    ...options,
    onData(stream, session: SMTPServerSession, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        received.push({
          from: address(session.envelope.mailFrom),
          to: session.envelope.rcptTo.map((r) => r.address),
          data: Buffer.concat(chunks),
          helo: session.hostNameAppearsAs,
          secure: session.secure,
          user: typeof session.user === "string" ? session.user : undefined,
        });
        if (!hangAfterData) callback();
      });
    },
  });
  server.on("error", () => {}); // client misbehaviour in failure tests is expected
  server.listen(0, "127.0.0.1");
  await once(server.server, "listening");
  const { port } = server.server.address() as AddressInfo;
  return {
    port,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface RecordingProxy {
  port: number;
  /** Everything clients sent, in order. */
  fromClient(): Buffer;
  close(): Promise<void>;
}

/** A TCP proxy on 127.0.0.1 to `targetPort` that records the client's bytes. */
export async function recordingProxy(targetPort: number): Promise<RecordingProxy> {
  const chunks: Buffer[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, "127.0.0.1");
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("error", () => s.destroy());
      s.on("close", () => sockets.delete(s));
    }
    client.on("data", (c: Buffer) => chunks.push(c));
    client.pipe(upstream);
    upstream.pipe(client);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    port: (server.address() as AddressInfo).port,
    fromClient: () => Buffer.concat(chunks),
    close: async () => {
      for (const s of sockets) s.destroy();
      server.close();
      await once(server, "close");
    },
  };
}

/** A TCP server that accepts connections and never says anything. */
export async function silentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on("error", () => {});
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      for (const s of sockets) s.destroy();
      server.close();
      await once(server, "close");
    },
  };
}
