// HTTPS on the client API with the real `cairn` process: a certificate made here, a reload on SIGHUP
// while a keep-alive connection stays open, a broken replacement that is refused, TLS 1.2 minimum.
import assert from "node:assert/strict";
import { generateKeyPairSync, X509Certificate } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { Agent, request } from "node:https";
import type { IncomingMessage } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TLSSocket } from "node:tls";
import { connect } from "node:tls";
import { after, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { freePort, runCairn, serveCairn } from "./process.js";
import { testCa } from "./tls.js";

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

async function install(): Promise<string> {
  const cwd = mkdtempSync(join(tmpdir(), "cairn-https-"));
  dirs.push(cwd);
  writeFileSync(
    join(cwd, "sydent.conf"),
    "[general]\nserver.name = tls.example.org\n[http]\n" +
      `clientapi.http.port = ${await freePort()}\n` +
      "clientapi.https.certfile = tls/cert.pem\nclientapi.https.keyfile = tls/key.pem\n",
  );
  mkdirSync(join(cwd, "tls"));
  return cwd;
}

function writePair(cwd: string, pair: { cert: string; key: string }): void {
  writeFileSync(join(cwd, "tls", "cert.pem"), pair.cert);
  writeFileSync(join(cwd, "tls", "key.pem"), pair.key);
}

interface Answer {
  status: number;
  body: string;
  /** SHA-256 fingerprint of the certificate the server presented on this connection. */
  fingerprint: string;
  reusedSocket: boolean;
}

function get(url: string, agent: Agent): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent }, (res: IncomingMessage) => {
      // Read now: the socket goes back to the agent (or closes) once the body ends.
      const { fingerprint256 } = (res.socket as TLSSocket).getPeerCertificate();
      let body = "";
      res.on("data", (d: Buffer) => (body += d.toString()));
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          body,
          fingerprint: fingerprint256,
          reusedSocket: req.reusedSocket,
        }),
      );
    });
    req.on("error", reject);
    req.end();
  });
}

async function waitFor(output: () => string, text: string, count: number): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (output().split(text).length - 1 >= count) return;
    await sleep(25);
  }
  assert.fail(`no "${text}" in the log:\n${output()}`);
}

const fingerprint = (pem: string) => new X509Certificate(pem).fingerprint256;

describe("HTTPS on the client API", () => {
  test("serves HTTPS; SIGHUP swaps the certificate for new connections, open ones stay up", async () => {
    const cwd = await install();
    const ca = testCa();
    const first = ca.issue({ ip: ["127.0.0.1"] });
    const second = ca.issue({ ip: ["127.0.0.1"] });
    writePair(cwd, first);
    const server = await serveCairn([], { cwd });
    const kept = new Agent({ ca: ca.cert, keepAlive: true, maxSockets: 1 });
    try {
      assert.match(server.url, /^https:\/\/127\.0\.0\.1:\d+$/);
      const url = `${server.url}/_matrix/identity/v2`;
      const before = await get(url, kept);
      assert.equal(before.status, 200);
      assert.equal(before.body, "{}");
      assert.equal(before.fingerprint, fingerprint(first.cert));

      writePair(cwd, second);
      server.child.kill("SIGHUP");
      await waitFor(server.output, "reloaded the client API certificate", 1);

      const open = await get(url, kept);
      assert.equal(open.status, 200);
      assert.ok(open.reusedSocket, "the keep-alive connection opened before the reload still answers");
      assert.equal(open.fingerprint, fingerprint(first.cert));
      const fresh = await get(url, new Agent({ ca: ca.cert }));
      assert.equal(fresh.status, 200);
      assert.equal(fresh.fingerprint, fingerprint(second.cert), "a new connection sees the new certificate");

      writeFileSync(
        join(cwd, "tls", "cert.pem"),
        "-----BEGIN CERTIFICATE-----\nbroken\n-----END CERTIFICATE-----\n",
      );
      server.child.kill("SIGHUP");
      await waitFor(server.output, "cannot reload the client API certificate; keeping the current one", 1);
      const still = await get(url, new Agent({ ca: ca.cert }));
      assert.equal(still.status, 200);
      assert.equal(
        still.fingerprint,
        fingerprint(second.cert),
        "a broken file keeps the current certificate",
      );
    } finally {
      kept.destroy();
      assert.equal(await server.stop(), 0);
    }
  });

  test("refuses TLS 1.1", async () => {
    const cwd = await install();
    const ca = testCa();
    writePair(cwd, ca.issue({ ip: ["127.0.0.1"] }));
    const server = await serveCairn([], { cwd });
    try {
      const { port } = new URL(server.url);
      const handshake = (maxVersion: "TLSv1.1" | "TLSv1.2") =>
        new Promise<string>((resolve, reject) => {
          // Security level 0 lets this client offer TLS 1.1 at all; the server must still refuse it.
          const socket = connect({
            host: "127.0.0.1",
            port: Number(port),
            ca: ca.cert,
            minVersion: "TLSv1",
            maxVersion,
            ciphers: "DEFAULT@SECLEVEL=0",
          });
          socket.once("secureConnect", () => {
            resolve(socket.getProtocol() ?? "");
            socket.end();
          });
          socket.once("error", reject);
        });
      assert.equal(await handshake("TLSv1.2"), "TLSv1.2");
      await assert.rejects(handshake("TLSv1.1"), /protocol|version/i);
    } finally {
      assert.equal(await server.stop(), 0);
    }
  });

  test("a key that does not match the certificate stops the start with one clear line", async () => {
    const cwd = await install();
    const other = generateKeyPairSync("rsa", {
      modulusLength: 1024,
      privateKeyEncoding: { type: "pkcs8", format: "pem" },
      publicKeyEncoding: { type: "spki", format: "pem" },
    });
    writePair(cwd, { cert: testCa().issue({ ip: ["127.0.0.1"] }).cert, key: other.privateKey });
    const proc = runCairn(["serve"], { cwd });
    assert.equal(await proc.exited, 1);
    assert.match(
      proc.output(),
      /cannot load the client API certificate tls\/cert\.pem with key tls\/key\.pem: .*mismatch/,
    );
    assert.ok(!proc.output().includes("    at "), "no stack trace");
  });
});
