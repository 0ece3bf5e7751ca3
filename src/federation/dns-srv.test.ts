// The SRV client against a DNS server on loopback (UDP and TCP) answering with hand-built replies.
import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import { once } from "node:events";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { cryptoRandom } from "../crypto/random.js";
import { DnsQueryError, decodeReply, querySrv } from "./dns-srv.js";

interface Answer {
  target: string;
  port: number;
  priority?: number;
  weight?: number;
  ttl: number;
}

interface Behaviour {
  rcode?: number;
  answers?: Answer[];
  /** Set the TC bit on UDP (the full answer comes over TCP). */
  truncate?: boolean;
  /** Send a reply with the wrong id first. */
  spoof?: boolean;
  silent?: boolean;
  /** Compress the target name against the question. */
  compress?: boolean;
}

function encodeName(name: string): Buffer {
  const parts =
    name === "." ? [] : name.split(".").map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)]));
  return Buffer.concat([...parts, Buffer.from([0])]);
}

function reply(query: Buffer, b: Behaviour, udp: boolean): Buffer {
  const questionEnd = query.length; // one question, nothing after it
  const answers = udp && b.truncate ? [] : (b.answers ?? []);
  const header = Buffer.from(query.subarray(0, 12));
  header.writeUInt16BE(0x8180 | (b.rcode ?? 0) | (udp && b.truncate ? 0x0200 : 0), 2);
  header.writeUInt16BE(answers.length, 6);
  const records = answers.map((a) => {
    const target =
      b.compress && a.target.startsWith("hs.")
        ? Buffer.concat([
            Buffer.from([2]),
            Buffer.from("hs"),
            Buffer.from([0xc0, 12 + 1 + "_matrix-fed".length + 1 + "_tcp".length]),
          ])
        : encodeName(a.target);
    const rdata = Buffer.alloc(6);
    rdata.writeUInt16BE(a.priority ?? 10, 0);
    rdata.writeUInt16BE(a.weight ?? 5, 2);
    rdata.writeUInt16BE(a.port, 4);
    const fixed = Buffer.alloc(10);
    fixed.writeUInt16BE(33, 0);
    fixed.writeUInt16BE(1, 2);
    fixed.writeUInt32BE(a.ttl, 4);
    fixed.writeUInt16BE(rdata.length + target.length, 8);
    return Buffer.concat([Buffer.from([0xc0, 12]), fixed, rdata, target]);
  });
  return Buffer.concat([header, query.subarray(12, questionEnd), ...records]);
}

describe("SRV queries over the wire", () => {
  const udp = createSocket("udp4");
  const tcp = createServer();
  let port = 0;
  let behaviour: Behaviour = {};
  let tcpQueries = 0;

  before(async () => {
    tcp.listen(0, "127.0.0.1");
    await once(tcp, "listening");
    port = (tcp.address() as AddressInfo).port;
    udp.bind(port, "127.0.0.1");
    await once(udp, "listening");
    udp.on("message", (query, from) => {
      if (behaviour.silent) return;
      if (behaviour.spoof) {
        const fake = reply(query, { answers: [{ target: "evil.test", port: 1, ttl: 99 }] }, true);
        fake.writeUInt16BE((fake.readUInt16BE(0) + 1) & 0xffff, 0);
        udp.send(fake, from.port, from.address);
      }
      udp.send(reply(query, behaviour, true), from.port, from.address);
    });
    tcp.on("connection", (socket) => {
      tcpQueries++;
      socket.once("data", (data: Buffer) => {
        const answer = reply(data.subarray(2), behaviour, false);
        socket.end(Buffer.concat([Buffer.from([answer.length >> 8, answer.length & 0xff]), answer]));
      });
    });
  });
  after(() => {
    udp.close();
    tcp.close();
  });

  const query = (name = "_matrix-fed._tcp.example.test") =>
    querySrv(name, { servers: [`127.0.0.1:${port}`], random: cryptoRandom, attemptTimeoutMs: 200 });

  test("records with the smallest TTL; compressed names are followed", async () => {
    behaviour = {
      compress: true,
      answers: [
        { target: "hs.example.test", port: 8448, priority: 10, weight: 5, ttl: 300 },
        { target: "backup.example.test", port: 443, priority: 20, weight: 0, ttl: 60 },
      ],
    };
    assert.deepEqual(await query(), {
      records: [
        { name: "hs.example.test", port: 8448, priority: 10, weight: 5 },
        { name: "backup.example.test", port: 443, priority: 20, weight: 0 },
      ],
      ttlSeconds: 60,
    });
  });

  test("NXDOMAIN and an empty answer both mean no records", async () => {
    behaviour = { rcode: 3 };
    assert.deepEqual(await query(), { records: [], ttlSeconds: 0 });
    behaviour = {};
    assert.deepEqual(await query(), { records: [], ttlSeconds: 0 });
  });

  test("the root target (service declined) is kept as '.'", async () => {
    behaviour = { answers: [{ target: ".", port: 0, ttl: 30 }] };
    assert.equal((await query()).records[0]?.name, ".");
  });

  test("SERVFAIL and silence are errors, naming the server", async () => {
    behaviour = { rcode: 2 };
    await assert.rejects(
      query(),
      (err: Error) => err instanceof DnsQueryError && /127\.0\.0\.1: SERVFAIL/.test(err.message),
    );
    behaviour = { silent: true };
    await assert.rejects(
      query(),
      (err: Error) => err instanceof DnsQueryError && /no reply/.test(err.message),
    );
  });

  test("a truncated UDP reply is asked again over TCP", async () => {
    behaviour = { truncate: true, answers: [{ target: "hs.example.test", port: 8448, ttl: 100 }] };
    const before = tcpQueries;
    assert.equal((await query()).records[0]?.name, "hs.example.test");
    assert.equal(tcpQueries - before, 1);
  });

  test("a reply with another id is ignored", async () => {
    behaviour = { spoof: true, answers: [{ target: "hs.example.test", port: 8448, ttl: 100 }] };
    assert.equal((await query()).records[0]?.name, "hs.example.test");
  });

  test("a reply about another name or garbage is refused", () => {
    const q = Buffer.concat([
      Buffer.from([0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0]),
      encodeName("_matrix._tcp.a.test"),
      Buffer.from([0, 33, 0, 1]),
    ]);
    assert.throws(() => decodeReply(reply(q, {}, false), "_matrix._tcp.b.test"), /another name/);
    assert.throws(() => decodeReply(Buffer.from([0, 1, 0x81, 0x80, 0, 1]), "x"), /garbled reply/);
  });
});
