// Server discovery end to end: real HTTPS servers on loopback, names resolved through a table,
// the .well-known host and discovery's default port moved to test ports.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { fakeResolver, sendJson, startHttpsServer } from "../../test/https-server.js";
import type { TestHttpsServer } from "../../test/https-server.js";
import { federationFailure, loopbackClient, loopbackCa } from "../../test/federation.js";
import type { ResolveStep } from "./resolve.js";

const HOUR = 3600_000;

describe("server discovery", () => {
  let hs: TestHttpsServer;
  let hs6: TestHttpsServer;
  let wellKnown: TestHttpsServer;
  /** .well-known answers by Host: name -> [status, body, headers]. */
  let delegations: Record<string, [number, unknown, Record<string, string>?]>;

  before(async () => {
    hs = await startHttpsServer(
      loopbackCa.issue({ dns: ["hs.test"], ip: ["127.0.0.1", "::1"] }),
      (req, res) => sendJson(res, 200, { path: req.url, host: req.headers.host }),
    );
    hs6 = await startHttpsServer(
      loopbackCa.issue({ ip: ["::1"] }),
      (_req, res) => sendJson(res, 200, {}),
      "::1",
    );
    const names = [
      "deleg.test",
      "plain.test",
      "srv.test",
      "legacy.test",
      "cached.test",
      "broken.test",
      "nostore.test",
    ];
    wellKnown = await startHttpsServer(loopbackCa.issue({ dns: names }), (req, res) => {
      const host = (req.headers.host ?? "").replace(/:\d+$/, "");
      const [status, body, headers] = delegations[host] ?? [404, { errcode: "M_NOT_FOUND" }];
      sendJson(res, status, body, headers);
    });
  });
  after(async () => {
    await hs.close();
    await hs6.close();
    await wellKnown.close();
  });

  const hosts = () => ({
    "hs.test": ["127.0.0.1"],
    "deleg.test": ["127.0.0.1"],
    "plain.test": ["127.0.0.1"],
    "srv.test": ["127.0.0.1"],
    "legacy.test": ["127.0.0.1"],
    "cached.test": ["127.0.0.1"],
    "broken.test": ["127.0.0.1"],
    "nostore.test": ["127.0.0.1"],
    "target.test": ["127.0.0.1"],
  });

  function client(srv: Parameters<typeof fakeResolver>[1] = {}) {
    delegations ??= {};
    const resolver = fakeResolver(hosts(), srv);
    const c = loopbackClient({ resolver, federationPort: hs.port, httpsPort: wellKnown.port });
    return { c, resolver };
  }

  async function get(c: ReturnType<typeof client>["c"], name: string) {
    const reply = await c.request(name, { method: "GET", path: "/_matrix/federation/v1/version" });
    return { status: reply.status, last: hs.requests.at(-1) };
  }

  test("an IPv4 literal with a port: that address, Host as written, no SNI, no discovery", async () => {
    const { c, resolver } = client();
    const before = wellKnown.requests.length;
    const { status, last } = await get(c, `127.0.0.1:${hs.port}`);
    assert.equal(status, 200);
    assert.equal(last?.headers.host, `127.0.0.1:${hs.port}`);
    assert.equal(last?.servername, false);
    assert.deepEqual([resolver.lookups, resolver.srvQueries], [[], []]);
    assert.equal(wellKnown.requests.length, before);
    await c.close();
  });

  test("an IP literal without a port goes to the federation port; IPv6 literals lose their brackets", async () => {
    const { c } = client();
    assert.equal((await get(c, "127.0.0.1")).last?.headers.host, "127.0.0.1");
    await c.request(`[::1]:${hs6.port}`, { method: "GET", path: "/" });
    assert.equal(hs6.requests.at(-1)?.headers.host, `[::1]:${hs6.port}`);
    assert.equal(hs6.requests.at(-1)?.servername, false);
    await c.close();
  });

  test("a host name with a port: A/AAAA lookup only, Host = the name with port, SNI = the host", async () => {
    const { c, resolver } = client();
    const before = wellKnown.requests.length;
    const { last } = await get(c, `hs.test:${hs.port}`);
    assert.equal(last?.headers.host, `hs.test:${hs.port}`);
    assert.equal(last?.servername, "hs.test");
    assert.deepEqual(resolver.srvQueries, []);
    assert.equal(wellKnown.requests.length, before);
    await c.close();
  });

  test(".well-known delegation: the delegate is resolved (no second .well-known), Host and SNI become it", async () => {
    delegations["deleg.test"] = [200, { "m.server": `hs.test:${hs.port}` }];
    const { c, resolver } = client();
    const { last } = await get(c, "deleg.test");
    assert.equal(last?.headers.host, `hs.test:${hs.port}`);
    assert.equal(last?.servername, "hs.test");
    assert.deepEqual(resolver.srvQueries, []);
    const fetched = wellKnown.requests.at(-1);
    assert.equal(fetched?.url, "/.well-known/matrix/server");
    assert.equal(fetched?.servername, "deleg.test");
    await c.close();
  });

  test("a delegation is cached for max-age (capped at 48 h), then fetched again", async () => {
    delegations["cached.test"] = [
      200,
      { "m.server": `hs.test:${hs.port}` },
      { "cache-control": "max-age=3600" },
    ];
    const { c } = client();
    const count = () => wellKnown.requests.filter((r) => r.headers.host?.startsWith("cached.test")).length;
    await get(c, "cached.test");
    await get(c, "cached.test");
    assert.equal(count(), 1);
    c.clock.advance(HOUR - 1);
    await get(c, "cached.test");
    assert.equal(count(), 1);
    c.clock.advance(2);
    await get(c, "cached.test");
    assert.equal(count(), 2);

    delegations["cached.test"] = [
      200,
      { "m.server": `hs.test:${hs.port}` },
      { "cache-control": "max-age=999999" },
    ];
    c.clock.advance(HOUR + 1);
    await get(c, "cached.test");
    assert.equal(count(), 3);
    c.clock.advance(48 * HOUR - 1);
    await get(c, "cached.test");
    assert.equal(count(), 3);
    c.clock.advance(2);
    await get(c, "cached.test");
    assert.equal(count(), 4);
    await c.close();
  });

  test("a delegation without cache headers is kept 24 h to 24 h 10 min", async () => {
    delegations["cached.test"] = [200, { "m.server": `hs.test:${hs.port}` }];
    const { c } = client();
    const count = () => wellKnown.requests.filter((r) => r.headers.host?.startsWith("cached.test")).length;
    const before = count();
    await get(c, "cached.test");
    c.clock.advance(24 * HOUR - 1);
    await get(c, "cached.test");
    assert.equal(count() - before, 1);
    c.clock.advance(10 * 60_000 + 2);
    await get(c, "cached.test");
    assert.equal(count() - before, 2);
    await c.close();
  });

  test("a failed .well-known is cached for 1 h to 1 h 10 min; no-store is not cached", async () => {
    delegations["broken.test"] = [500, { error: "oops" }];
    const { c } = client();
    const count = (host: string) => wellKnown.requests.filter((r) => r.headers.host?.startsWith(host)).length;
    await get(c, "broken.test");
    await get(c, "broken.test");
    assert.equal(count("broken.test"), 1);
    c.clock.advance(HOUR - 1);
    await get(c, "broken.test");
    assert.equal(count("broken.test"), 1);
    c.clock.advance(10 * 60_000 + 2);
    await get(c, "broken.test");
    assert.equal(count("broken.test"), 2);

    delegations["nostore.test"] = [
      200,
      { "m.server": `hs.test:${hs.port}` },
      { "cache-control": "no-store" },
    ];
    await get(c, "nostore.test");
    await get(c, "nostore.test");
    assert.equal(count("nostore.test"), 2);
    await c.close();
  });

  test("SRV: _matrix-fed._tcp first; the target is connected to, Host and SNI stay the server name", async () => {
    const { c, resolver } = client({
      "_matrix-fed._tcp.srv.test": [{ name: "target.test", port: hs.port, priority: 10, weight: 1 }],
    });
    const steps: ResolveStep[] = [];
    const target = await c.discovery.resolve("srv.test", { trace: (s) => steps.push(s) });
    assert.deepEqual(target, {
      serverName: "srv.test",
      host: "target.test",
      port: hs.port,
      hostHeader: "srv.test",
      sni: "srv.test",
    });
    assert.deepEqual(
      steps.map((s) => s.step),
      ["well_known", "srv"],
    );
    const { last } = await get(c, "srv.test");
    assert.equal(last?.headers.host, "srv.test");
    assert.equal(last?.servername, "srv.test");
    assert.deepEqual(resolver.srvQueries, ["_matrix-fed._tcp.srv.test"]);
    assert.ok(resolver.lookups.includes("target.test"));
    await c.close();
  });

  test("SRV: _matrix._tcp when _matrix-fed._tcp has nothing; lowest priority wins", async () => {
    const { c, resolver } = client({
      "_matrix._tcp.legacy.test": [
        { name: "nowhere.test", port: 1, priority: 20, weight: 100 },
        { name: "target.test", port: hs.port, priority: 5, weight: 0 },
      ],
    });
    const { last } = await get(c, "legacy.test");
    assert.equal(last?.headers.host, "legacy.test");
    assert.deepEqual(resolver.srvQueries, ["_matrix-fed._tcp.legacy.test", "_matrix._tcp.legacy.test"]);
    await c.close();
  });

  test("no delegation and no SRV: the host on the federation port", async () => {
    const { c, resolver } = client();
    const steps: ResolveStep[] = [];
    const target = await c.discovery.resolve("plain.test", { trace: (s) => steps.push(s) });
    assert.deepEqual(target, {
      serverName: "plain.test",
      host: "plain.test",
      port: hs.port,
      hostHeader: "plain.test",
      sni: "plain.test",
    });
    assert.deepEqual(
      steps.map((s) => s.step),
      ["well_known", "srv", "srv", "default_port"],
    );
    const wk = steps[0];
    assert.ok(wk?.step === "well_known" && wk.result.status === 404 && wk.result.server === null);
    assert.deepEqual(resolver.srvQueries, ["_matrix-fed._tcp.plain.test", "_matrix._tcp.plain.test"]);
    assert.equal((await get(c, "plain.test")).last?.headers.host, "plain.test");
    await c.close();
  });

  test("an SRV record whose target is '.' declines the service", async () => {
    const { c } = client({ "_matrix-fed._tcp.plain.test": [{ name: ".", port: 0, priority: 0, weight: 0 }] });
    const message = await federationFailure(get(c, "plain.test"), "dns");
    assert.match(message, /_matrix-fed\._tcp\.plain\.test says the service is not available/);
    await c.close();
  });

  test("an invalid server name is refused before any lookup", async () => {
    const { c, resolver } = client();
    const message = await federationFailure(get(c, "example.com#x"), "invalid_server_name");
    assert.equal(message, 'not a valid Matrix server name: "example.com#x"');
    assert.deepEqual(resolver.lookups, []);
    await c.close();
  });

  test("a name without addresses fails as DNS, saying which name", async () => {
    const { c } = client();
    const message = await federationFailure(get(c, `missing.test:${hs.port}`), "dns");
    assert.equal(message, "DNS: no address for missing.test");
    await c.close();
  });
});
