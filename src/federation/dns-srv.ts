// A small DNS client for SRV queries. node:dns answers SRV queries without their TTL, and server
// discovery caches SRV answers for exactly their TTL, so the query is made here: UDP to the
// system's name servers (as node:dns reads them from /etc/resolv.conf), TCP when the reply is
// truncated.
import { createSocket } from "node:dgram";
import { isIPv6, connect as tcpConnect } from "node:net";
import type { Random } from "../crypto/random.js";

export interface SrvRecord {
  /** Target host name, without a trailing dot; `.` (the root) when the service is declined. */
  name: string;
  port: number;
  priority: number;
  weight: number;
}

export interface SrvAnswer {
  records: SrvRecord[];
  /** The smallest TTL among the records, in seconds. */
  ttlSeconds: number;
}

/** A query that got no usable answer (SERVFAIL, REFUSED, no reply, a garbled reply). */
export class DnsQueryError extends Error {
  override name = "DnsQueryError";
}

export interface SrvQueryOptions {
  /** `host` or `host:port`, `[v6]:port`; as `dns.getServers()` returns them. */
  servers: readonly string[];
  /** Draws the query ids. */
  random: Random;
  /** Wait per attempt; each server is tried twice in turn. */
  attemptTimeoutMs?: number;
}

const TYPE_SRV = 33;
const CLASS_IN = 1;
const RCODE_NXDOMAIN = 3;
const RCODE_NAMES = ["NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED"];

/** The SRV records at `name`; none when the name does not exist or has no SRV records. */
export async function querySrv(name: string, options: SrvQueryOptions): Promise<SrvAnswer> {
  const servers = options.servers.map(parseServer);
  if (servers.length === 0) throw new DnsQueryError("no DNS servers are configured");
  const failures: string[] = [];
  for (let round = 0; round < 2; round++) {
    for (const server of servers) {
      const id = options.random.int(0xffff);
      const query = encodeQuery(id, name);
      try {
        let reply = await udpExchange(server, query, id, options.attemptTimeoutMs ?? 2500);
        if ((reply.readUInt16BE(2) & 0x0200) !== 0) {
          reply = await tcpExchange(server, query, id, options.attemptTimeoutMs ?? 2500);
        }
        return decodeReply(reply, name);
      } catch (err) {
        if (!(err instanceof DnsQueryError)) throw err;
        failures.push(`${server.host}: ${err.message}`);
      }
    }
  }
  throw new DnsQueryError(`SRV lookup of ${name} failed (${[...new Set(failures)].join("; ")})`);
}

interface Server {
  host: string;
  port: number;
}

function parseServer(text: string): Server {
  const bracketed = /^\[(.+)\](?::(\d+))?$/.exec(text);
  if (bracketed) return { host: bracketed[1] ?? "", port: Number(bracketed[2] ?? 53) };
  if (isIPv6(text)) return { host: text, port: 53 };
  const [host = "", port = "53"] = text.split(":");
  return { host, port: Number(port) };
}

function encodeQuery(id: number, name: string): Buffer {
  const labels = name.replace(/\.$/, "").split(".");
  const parts = [Buffer.from([id >> 8, id & 0xff, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0])];
  for (const label of labels) {
    const bytes = Buffer.from(label, "ascii");
    if (bytes.length === 0 || bytes.length > 63) throw new DnsQueryError(`not a DNS name: ${name}`);
    parts.push(Buffer.from([bytes.length]), bytes);
  }
  parts.push(Buffer.from([0, 0, TYPE_SRV, 0, CLASS_IN]));
  return Buffer.concat(parts);
}

function udpExchange(server: Server, query: Buffer, id: number, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = createSocket(isIPv6(server.host) ? "udp6" : "udp4");
    const done = (err: Error | null, reply?: Buffer) => {
      clearTimeout(timer);
      socket.close();
      if (err) reject(err);
      else resolve(reply as Buffer);
    };
    const timer = setTimeout(() => done(new DnsQueryError("no reply")), timeoutMs);
    socket.on("error", (err) => done(new DnsQueryError(err.message)));
    socket.on("message", (reply, from) => {
      // Anything not from the server or not answering this query is ignored (spoofing guard).
      if (from.port !== server.port || reply.length < 12 || reply.readUInt16BE(0) !== id) return;
      done(null, reply);
    });
    socket.send(query, server.port, server.host);
  });
}

function tcpExchange(server: Server, query: Buffer, id: number, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect({ host: server.host, port: server.port });
    let received = Buffer.alloc(0);
    const done = (err: Error | null, reply?: Buffer) => {
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve(reply as Buffer);
    };
    const timer = setTimeout(() => done(new DnsQueryError("no reply over TCP")), timeoutMs);
    socket.on("error", (err) => done(new DnsQueryError(`TCP: ${err.message}`)));
    socket.on("connect", () =>
      socket.write(Buffer.concat([Buffer.from([query.length >> 8, query.length & 0xff]), query])),
    );
    socket.on("data", (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length < 2 || received.length < 2 + received.readUInt16BE(0)) return;
      const reply = received.subarray(2, 2 + received.readUInt16BE(0));
      if (reply.length < 12 || reply.readUInt16BE(0) !== id) done(new DnsQueryError("mismatched TCP reply"));
      else done(null, reply);
    });
    socket.on("end", () => done(new DnsQueryError("connection closed before the reply")));
  });
}

/** Parses a reply to our query for `name`; exported for tests. */
export function decodeReply(reply: Buffer, name: string): SrvAnswer {
  try {
    const flags = reply.readUInt16BE(2);
    const rcode = flags & 0x0f;
    if ((flags & 0x8000) === 0) throw new DnsQueryError("not a reply");
    if (rcode === RCODE_NXDOMAIN) return { records: [], ttlSeconds: 0 };
    if (rcode !== 0) throw new DnsQueryError(RCODE_NAMES[rcode] ?? `rcode ${rcode}`);
    const questions = reply.readUInt16BE(4);
    const answers = reply.readUInt16BE(6);
    let offset = 12;
    for (let i = 0; i < questions; i++) {
      const question = readName(reply, offset);
      if (question.name.toLowerCase() !== name.replace(/\.$/, "").toLowerCase()) {
        throw new DnsQueryError("reply is for another name");
      }
      offset = question.end + 4;
    }
    const records: SrvRecord[] = [];
    let ttlSeconds = Number.POSITIVE_INFINITY;
    for (let i = 0; i < answers; i++) {
      const owner = readName(reply, offset);
      offset = owner.end;
      const type = reply.readUInt16BE(offset);
      const cls = reply.readUInt16BE(offset + 2);
      const ttl = reply.readUInt32BE(offset + 4);
      const length = reply.readUInt16BE(offset + 8);
      const data = offset + 10;
      offset = data + length;
      if (offset > reply.length) throw new RangeError("record overruns the reply");
      if (type !== TYPE_SRV || cls !== CLASS_IN) continue;
      records.push({
        priority: reply.readUInt16BE(data),
        weight: reply.readUInt16BE(data + 2),
        port: reply.readUInt16BE(data + 4),
        name: readName(reply, data + 6).name || ".",
      });
      ttlSeconds = Math.min(ttlSeconds, ttl);
    }
    return { records, ttlSeconds: records.length > 0 ? ttlSeconds : 0 };
  } catch (err) {
    if (err instanceof DnsQueryError) throw err;
    throw new DnsQueryError(`garbled reply (${err instanceof Error ? err.message : String(err)})`);
  }
}

/** A possibly compressed name at `offset`; `end` is where the record continues. */
function readName(buf: Buffer, offset: number): { name: string; end: number } {
  const labels: string[] = [];
  let end = -1;
  let at = offset;
  for (let jumps = 0; ;) {
    const length = buf.readUInt8(at);
    if (length === 0) {
      if (end === -1) end = at + 1;
      break;
    }
    if ((length & 0xc0) === 0xc0) {
      if (++jumps > 32) throw new RangeError("compression loop");
      if (end === -1) end = at + 2;
      at = buf.readUInt16BE(at) & 0x3fff;
      continue;
    }
    if (at + 1 + length > buf.length) throw new RangeError("label overruns the reply");
    labels.push(buf.toString("latin1", at + 1, at + 1 + length));
    at += 1 + length;
  }
  return { name: labels.join("."), end };
}
