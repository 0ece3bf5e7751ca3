// The federation client against real HTTPS servers on loopback: TLS rules, the IP deny-list
// (asserting on the servers' accept counts), deadlines, size caps and connection reuse.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { setImmediate } from "node:timers/promises";
import { federationFailure, loopbackClient, loopbackCa } from "../../test/federation.js";
import { fakeResolver, sendJson, startHttpsServer } from "../../test/https-server.js";
import type { TestHttpsServer } from "../../test/https-server.js";
import { selfSignedCert } from "../../test/tls.js";

describe("federation client", () => {
  let trusted: TestHttpsServer;
  let selfSigned: TestHttpsServer;
  let blocked: TestHttpsServer;
  let wellKnown: TestHttpsServer;

  before(async () => {
    trusted = await startHttpsServer(loopbackCa.issue({ dns: ["some-other-name.test"] }), (req, res) =>
      sendJson(res, 200, { ok: true, body: req.body }),
    );
    selfSigned = await startHttpsServer(selfSignedCert({ dns: ["self.test"] }), (_req, res) =>
      sendJson(res, 200, {}),
    );
    // 127.0.0.2 is loopback too, but only 127.0.0.1 is whitelisted: the built-in list blocks it.
    blocked = await startHttpsServer(
      loopbackCa.issue({ dns: ["blocked.test"], ip: ["127.0.0.2"] }),
      (_req, res) => sendJson(res, 200, {}),
      "127.0.0.2",
    );
    wellKnown = await startHttpsServer(
      loopbackCa.issue({ dns: ["redirect.test", "blocked.test"] }),
      (req, res) => {
        res.writeHead(302, { location: "https://blocked.test/.well-known/matrix/server" });
        res.end();
      },
    );
  });
  after(async () => {
    for (const server of [trusted, selfSigned, blocked, wellKnown]) await server.close();
  });

  const resolver = (srv: Parameters<typeof fakeResolver>[1] = {}) =>
    fakeResolver(
      {
        "trusted.test": ["127.0.0.1"],
        "blocked.test": ["127.0.0.2"],
        "mixed.test": ["127.0.0.1", "127.0.0.2"],
        "mapped.test": ["::ffff:127.0.0.2"],
        "sixtofour.test": ["2002:7f00:2::1"],
        "redirect.test": ["127.0.0.1"],
      },
      srv,
    );
  const get = (c: ReturnType<typeof loopbackClient>, name: string) =>
    c.request(name, { method: "GET", path: "/_matrix/federation/v1/version" });

  describe("TLS", () => {
    test("verifycerts = true: a chain from a trusted CA is accepted whatever names the certificate holds", async () => {
      const c = loopbackClient({ resolver: resolver() });
      assert.equal((await get(c, `trusted.test:${trusted.port}`)).status, 200);
      assert.equal((await get(c, `127.0.0.1:${trusted.port}`)).status, 200);
      await c.close();
    });

    test("verifycerts = true: a self-signed certificate is refused, saying where and why", async () => {
      const c = loopbackClient({ resolver: resolver() });
      const message = await federationFailure(get(c, `127.0.0.1:${selfSigned.port}`), "tls");
      assert.equal(message, `TLS: certificate of 127.0.0.1:${selfSigned.port} is not trusted (self-signed)`);
      await c.close();
    });

    test("verifycerts = true without the test CA: the CA-signed certificate is from an unknown authority", async () => {
      const c = loopbackClient({ resolver: resolver(), ca: [selfSignedCert({ dns: ["x"] }).cert] });
      const message = await federationFailure(get(c, `trusted.test:${trusted.port}`), "tls");
      assert.equal(
        message,
        `TLS: certificate of trusted.test (127.0.0.1:${trusted.port}) is not trusted (issued by an unknown authority)`,
      );
      await c.close();
    });

    test("verifycerts = false accepts both", async () => {
      const c = loopbackClient({ resolver: resolver(), verifyCerts: false, ca: [] });
      assert.equal((await get(c, `127.0.0.1:${selfSigned.port}`)).status, 200);
      assert.equal((await get(c, `127.0.0.1:${trusted.port}`)).status, 200);
      await c.close();
    });
  });

  describe("IP deny-list", () => {
    test("a blocked IP literal is never connected to", async () => {
      const c = loopbackClient({ resolver: resolver() });
      const message = await federationFailure(get(c, `127.0.0.2:${blocked.port}`), "blocked");
      assert.match(message, /^127\.0\.0\.2 is blocked by the IP deny-list \(127\.0\.0\.0\/8\)/);
      assert.equal(blocked.accepts, 0);
      await c.close();
    });

    test("a name with any blocked address is refused entirely, even with an allowed one", async () => {
      const c = loopbackClient({ resolver: resolver() });
      assert.match(
        await federationFailure(get(c, `blocked.test:${blocked.port}`), "blocked"),
        /^blocked\.test resolves to 127\.0\.0\.2, which is blocked by the IP deny-list \(127\.0\.0\.0\/8\)/,
      );
      await federationFailure(get(c, `mixed.test:${trusted.port}`), "blocked");
      assert.equal(trusted.requests.filter((r) => r.headers.host?.startsWith("mixed.test")).length, 0);
      assert.equal(blocked.accepts, 0);
      await c.close();
    });

    test("IPv4-mapped and 6to4 spellings of a blocked address are blocked", async () => {
      const c = loopbackClient({ resolver: resolver() });
      assert.match(
        await federationFailure(get(c, `mapped.test:${blocked.port}`), "blocked"),
        /::ffff:127\.0\.0\.2/,
      );
      assert.match(
        await federationFailure(get(c, `sixtofour.test:${blocked.port}`), "blocked"),
        /127\.0\.0\.0\/8/,
      );
      assert.match(
        await federationFailure(get(c, `[::ffff:127.0.0.2]:${blocked.port}`), "blocked"),
        /127\.0\.0\.0\/8/,
      );
      assert.equal(blocked.accepts, 0);
      await c.close();
    });

    test("an SRV target resolving to a blocked address is not connected to", async () => {
      const c = loopbackClient({
        resolver: resolver({
          "_matrix-fed._tcp.srv.test": [{ name: "blocked.test", port: blocked.port, priority: 0, weight: 1 }],
        }),
        httpsPort: trusted.port,
      });
      await federationFailure(get(c, "srv.test"), "blocked");
      assert.equal(blocked.accepts, 0);
      await c.close();
    });

    test("a .well-known redirect to a blocked host is not followed there", async () => {
      const c = loopbackClient({
        resolver: resolver(),
        httpsPort: wellKnown.port,
        federationPort: trusted.port,
      });
      const steps: string[] = [];
      await c.discovery.resolve("redirect.test", {
        trace: (s) => {
          if (s.step === "well_known") steps.push(s.result.error ?? "");
        },
      });
      assert.equal(wellKnown.requests.length, 1);
      assert.match(steps[0] ?? "", /blocked\.test resolves to 127\.0\.0\.2, which is blocked/);
      assert.equal(blocked.accepts, 0);
      await c.close();
    });

    test("the whitelist overrides the blacklist; a configured blacklist replaces the built-in one", async () => {
      const open = loopbackClient({
        resolver: resolver(),
        blacklist: ["127.0.0.0/8"],
        whitelist: ["127.0.0.2/32"],
      });
      assert.equal((await get(open, `127.0.0.2:${blocked.port}`)).status, 200);
      await federationFailure(get(open, `127.0.0.1:${trusted.port}`), "blocked");
      await open.close();
      const narrow = loopbackClient({ resolver: resolver(), blacklist: ["10.0.0.0/8"], whitelist: [] });
      assert.equal((await get(narrow, `127.0.0.1:${trusted.port}`)).status, 200);
      await narrow.close();
    });
  });

  describe("deadlines and limits", () => {
    let slow: TestHttpsServer;
    before(async () => {
      slow = await startHttpsServer(loopbackCa.issue({ dns: ["slow.test"] }), (req, res) => {
        if (req.url === "/huge") {
          res.writeHead(200, { "content-type": "application/json" });
          res.end("x".repeat(200_000));
        } else if (req.url.startsWith("/huge-chunked")) {
          res.writeHead(200, { "content-type": "application/json" });
          for (let i = 0; i < 200; i++) res.write("y".repeat(1000));
          res.end();
        }
        // Anything else: never answered.
      });
    });
    after(() => slow.close());

    test("a server that never answers times out at the deadline, saying whom it waited for", async () => {
      const c = loopbackClient({ resolver: resolver(), timeoutMs: 200 });
      const started = Date.now();
      const message = await federationFailure(get(c, `127.0.0.1:${slow.port}`), "timeout");
      assert.ok(Date.now() - started < 2000);
      assert.equal(message, `timed out after 0.2 s waiting for 127.0.0.1:${slow.port}`);
      // Once a connection has been made, the message also names the address it went to.
      await c.request(`trusted.test:${slow.port}`, {
        method: "GET",
        path: "/huge",
        maxBytes: 300_000,
        timeoutMs: 5000,
      });
      const named = await federationFailure(
        c.request(`trusted.test:${slow.port}`, { method: "GET", path: "/", timeoutMs: 150 }),
        "timeout",
      );
      assert.equal(
        named,
        `timed out after 0.15 s waiting for trusted.test:${slow.port} (127.0.0.1:${slow.port})`,
      );
      await c.close();
    });

    test("a reply over the cap fails as too_large, whether announced or streamed", async () => {
      const c = loopbackClient({ resolver: resolver() });
      const name = `127.0.0.1:${slow.port}`;
      const announced = await federationFailure(
        c.request(name, { method: "GET", path: "/huge", maxBytes: 5120 }),
        "too_large",
      );
      assert.equal(announced, `the reply of ${name} to GET /huge is larger than 5120 bytes`);
      await federationFailure(
        c.request(name, { method: "GET", path: "/huge-chunked?access_token=secret", maxBytes: 5120 }),
        "too_large",
      ).then((m) => assert.ok(!m.includes("secret")));
      const fits = await c.request(name, { method: "GET", path: "/huge", maxBytes: 200_000 });
      assert.equal(fits.body.length, 200_000);
      await c.close();
    });

    test("a refused connection fails as connect", async () => {
      const c = loopbackClient({ resolver: resolver() });
      const closed = await startHttpsServer(loopbackCa.issue({ dns: ["x"] }), () => undefined);
      const port = closed.port;
      await closed.close();
      const message = await federationFailure(get(c, `trusted.test:${port}`), "connect");
      assert.equal(message, `could not connect to trusted.test (127.0.0.1:${port}): connection refused`);
      await c.close();
    });
  });

  test("connections are reused: several requests, one TCP connection; JSON bodies are sent", async () => {
    const c = loopbackClient({ resolver: resolver() });
    const before = trusted.accepts;
    for (let i = 0; i < 3; i++) {
      // undici hands a connection back to the pool one event-loop turn after a reply ends.
      await setImmediate();
      const reply = await c.request(`trusted.test:${trusted.port}`, {
        method: "POST",
        path: "/echo",
        json: { i },
      });
      assert.deepEqual(JSON.parse(reply.body.toString()), { ok: true, body: JSON.stringify({ i }) });
    }
    assert.equal(trusted.accepts - before, 1);
    const last = trusted.requests.at(-1);
    assert.equal(last?.headers["content-type"], "application/json");
    assert.equal(last?.headers["user-agent"], undefined);
    await c.close();
  });
});
