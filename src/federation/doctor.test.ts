// `cairn doctor` against real HTTPS servers on loopback: what it prints at each step and its
// verdict, for a healthy delegated server, untrusted certificates, the deny-list and a dead port.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { FIXTURE_NOW } from "../../test/deps.js";
import { loopbackCa } from "../../test/federation.js";
import { fakeResolver, sendJson, startHttpsServer } from "../../test/https-server.js";
import type { Handler, TestHttpsServer } from "../../test/https-server.js";
import { selfSignedCert } from "../../test/tls.js";
import { fixedClock } from "../clock.js";
import { cryptoRandom } from "../crypto/random.js";
import type { DoctorOptions } from "./doctor.js";
import { runDoctor } from "./doctor.js";

const homeserver: Handler = (req, res) => {
  if (req.url === "/_matrix/federation/v1/version")
    sendJson(res, 200, { server: { name: "Synapse", version: "1.99.0" } });
  else if (req.url === "/_matrix/key/v2/server") {
    sendJson(res, 200, {
      valid_until_ts: FIXTURE_NOW + 86_400_000,
      verify_keys: { "ed25519:a_bcd": { key: "x" } },
    });
  } else sendJson(res, 404, { errcode: "M_UNRECOGNIZED" });
};

describe("cairn doctor", () => {
  let trusted: TestHttpsServer;
  let selfSigned: TestHttpsServer;
  let blocked: TestHttpsServer;
  let wellKnown: TestHttpsServer;

  before(async () => {
    trusted = await startHttpsServer(loopbackCa.issue({ dns: ["hs.test"] }), homeserver);
    selfSigned = await startHttpsServer(selfSignedCert({ dns: ["self.test"] }), homeserver);
    blocked = await startHttpsServer(loopbackCa.issue({ dns: ["blocked.test"] }), homeserver, "127.0.0.2");
    wellKnown = await startHttpsServer(loopbackCa.issue({ dns: ["deleg.test", "srv.test"] }), (req, res) => {
      if (req.headers.host?.startsWith("deleg.test"))
        sendJson(res, 200, { "m.server": `hs.test:${trusted.port}` });
      else sendJson(res, 404, {});
    });
  });
  after(async () => {
    for (const server of [trusted, selfSigned, blocked, wellKnown]) await server.close();
  });

  async function doctor(name: string, overrides: Partial<DoctorOptions> = {}) {
    const lines: string[] = [];
    const ok = await runDoctor(name, {
      resolver: fakeResolver(
        {
          "deleg.test": ["127.0.0.1"],
          "hs.test": ["127.0.0.1"],
          "srv.test": ["127.0.0.1"],
          "blocked.test": ["127.0.0.1", "127.0.0.2"],
        },
        { "_matrix-fed._tcp.srv.test": [{ name: "hs.test", port: trusted.port, priority: 1, weight: 1 }] },
      ),
      blacklist: [],
      whitelist: ["127.0.0.1/32"],
      verifyCerts: true,
      clock: fixedClock(FIXTURE_NOW),
      random: cryptoRandom,
      ca: [loopbackCa.cert],
      httpsPort: wellKnown.port,
      federationPort: trusted.port,
      timeoutMs: 2000,
      write: (line) => lines.push(line),
      ...overrides,
    });
    return { ok, text: lines.join("\n") };
  }

  test("a delegated, healthy homeserver: every step in plain words, and reachable", async () => {
    const { ok, text } = await doctor("deleg.test");
    assert.equal(ok, true, text);
    for (const expected of [
      "Settings: federation.verifycerts = true; ip.blacklist = (built-in: 21 private and reserved ranges); ip.whitelist = 127.0.0.1/32.",
      "Delegation: fetched https://deleg.test/.well-known/matrix/server: HTTP 200",
      `body: {"m.server":"hs.test:${trusted.port}"}`,
      `=> delegates to hs.test:${trusted.port}`,
      `hs.test:${trusted.port} names its port (${trusted.port}): no delegation or SRV lookup.`,
      `=> Cairn connects to 127.0.0.1:${trusted.port}`.replace("127.0.0.1", "hs.test"),
      `with Host: hs.test:${trusted.port} and TLS server name hs.test.`,
      "127.0.0.1: allowed by ip.whitelist 127.0.0.1/32 (it is in 127.0.0.0/8)",
      `TCP: connected to 127.0.0.1:${trusted.port}.`,
      "Certificate: subject CN=hs.test; issuer CN=Cairn test CA",
      "names: DNS:hs.test",
      "matches hs.test: yes",
      "trusted: yes",
      'GET /_matrix/federation/v1/version: HTTP 200 {"server":{"name":"Synapse","version":"1.99.0"}}',
      "GET /_matrix/key/v2/server: HTTP 200 keys ed25519:a_bcd; valid until 2026-12-05T",
      "Result: deleg.test is reachable.",
    ]) {
      assert.ok(text.includes(expected), `missing ${JSON.stringify(expected)} in:\n${text}`);
    }
  });

  test("no delegation, SRV records: both reported, the chosen record marked", async () => {
    const { ok, text } = await doctor("srv.test");
    assert.equal(ok, true, text);
    assert.match(
      text,
      /=> no delegation \(https:\/\/srv\.test:\d+\/\.well-known\/matrix\/server answered HTTP 404\)/,
    );
    assert.ok(
      text.includes(
        `SRV _matrix-fed._tcp.srv.test: hs.test:${trusted.port} (priority 1, weight 1) <= chosen`,
      ),
      text,
    );
    assert.ok(text.includes("with Host: srv.test and TLS server name srv.test."), text);
    assert.ok(
      text.includes("matches srv.test: no (Cairn, like Sydent, does not require it; homeservers do)"),
      text,
    );
  });

  test("a self-signed certificate: refused with verifycerts = true, accepted with false", async () => {
    const refused = await doctor(`127.0.0.1:${selfSigned.port}`);
    assert.equal(refused.ok, false);
    assert.ok(refused.text.includes("127.0.0.1:" + selfSigned.port + " is an IP address"), refused.text);
    assert.ok(
      refused.text.includes(
        "with Host: 127.0.0.1:" + selfSigned.port + " and no TLS server name (IP address).",
      ),
    );
    assert.ok(refused.text.includes("trusted: no (self-signed)"), refused.text);
    assert.ok(
      refused.text.includes(
        "FAILED: Cairn refuses this certificate (federation.verifycerts = true): self-signed",
      ),
    );
    assert.ok(refused.text.includes("What to check: Serve a certificate from a public CA"));
    assert.ok(refused.text.endsWith(`Result: Cairn cannot reach 127.0.0.1:${selfSigned.port}.`));

    const accepted = await doctor(`127.0.0.1:${selfSigned.port}`, { verifyCerts: false });
    assert.equal(accepted.ok, true, accepted.text);
    assert.ok(accepted.text.includes("Cairn accepts it anyway: federation.verifycerts = false."));
  });

  test("a deny-listed address: named with its entry, and never connected to", async () => {
    const { ok, text } = await doctor(`blocked.test:${blocked.port}`);
    assert.equal(ok, false);
    assert.ok(text.includes("127.0.0.1: allowed by ip.whitelist"), text);
    assert.ok(text.includes("127.0.0.2: BLOCKED by the deny-list entry 127.0.0.0/8"), text);
    assert.ok(
      text.includes("FAILED: blocked.test resolves to 127.0.0.2, which is blocked by the IP deny-list"),
      text,
    );
    assert.ok(text.includes("add its address to ip.whitelist"));
    assert.equal(blocked.accepts, 0);
  });

  test("nothing listening, an unknown name, an invalid name", async () => {
    const closed = await startHttpsServer(loopbackCa.issue({ dns: ["x"] }), homeserver);
    await closed.close();
    const dead = await doctor(`127.0.0.1:${closed.port}`);
    assert.equal(dead.ok, false);
    assert.ok(
      dead.text.includes(`FAILED: TCP connection to 127.0.0.1:${closed.port}: ECONNREFUSED`),
      dead.text,
    );
    assert.ok(dead.text.includes("What to check: Nothing accepted the connection"));

    const unknown = await doctor("nowhere.test:8448");
    assert.ok(unknown.text.includes("FAILED: DNS: no address for nowhere.test"), unknown.text);
    const invalid = await doctor("bad name");
    assert.equal(invalid.ok, false);
    assert.ok(invalid.text.includes('FAILED: not a valid Matrix server name: "bad name"'), invalid.text);
  });
});
