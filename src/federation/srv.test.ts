import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { fakeResolver } from "../../test/https-server.js";
import { fixedClock } from "../clock.js";
import { randomFromBytes } from "../crypto/random.js";
import { cryptoRandom } from "../crypto/random.js";
import type { SrvRecord } from "./dns-srv.js";
import type { Resolver } from "./dns.js";
import { createSrvCache, pickSrvRecord } from "./srv.js";
import { FederationError } from "./types.js";

const rec = (name: string, priority: number, weight: number): SrvRecord => ({
  name,
  port: 8448,
  priority,
  weight,
});

describe("SRV record choice", () => {
  test("only the lowest priority group is used, in proportion to the weights", () => {
    const records = [rec("low", 20, 1000), rec("a", 10, 30), rec("b", 10, 10), rec("zero", 10, 0)];
    const counts: Record<string, number> = {};
    for (let i = 0; i < 4000; i++) {
      const name = pickSrvRecord(records, cryptoRandom)?.name ?? "";
      counts[name] = (counts[name] ?? 0) + 1;
    }
    assert.equal(counts.low, undefined);
    assert.equal(counts.zero, undefined, "a zero weight is only picked when all weights are zero");
    assert.ok((counts.a ?? 0) > 2700 && (counts.a ?? 0) < 3300, JSON.stringify(counts));
  });

  test("all weights zero: any of the group; a scripted draw picks by cumulative weight", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++)
      seen.add(pickSrvRecord([rec("x", 0, 0), rec("y", 0, 0)], cryptoRandom)?.name ?? "");
    assert.deepEqual([...seen].sort(), ["x", "y"]);
    // Draw 0 -> target 1 -> the first record with weight >= 1.
    const zero = randomFromBytes((n) => Buffer.alloc(n));
    assert.equal(pickSrvRecord([rec("zero", 0, 0), rec("one", 0, 1), rec("two", 0, 5)], zero)?.name, "one");
    assert.equal(pickSrvRecord([], cryptoRandom), undefined);
  });
});

describe("SRV cache", () => {
  test("an answer is kept for its TTL", async () => {
    const resolver = fakeResolver({}, { "_s._tcp.a": [rec("t", 0, 1)] }, 60);
    const clock = fixedClock(0);
    const cache = createSrvCache(resolver, clock);
    assert.deepEqual(await cache.lookup("_s._tcp.a"), { records: [rec("t", 0, 1)], cached: false });
    clock.advance(59_999);
    assert.equal((await cache.lookup("_s._tcp.A")).cached, true);
    clock.advance(1);
    assert.equal((await cache.lookup("_s._tcp.a")).cached, false);
    assert.equal(resolver.srvQueries.length, 2);
  });

  test("when DNS fails, the last answer is used even if expired; with none, the failure is reported", async () => {
    let fail = false;
    const resolver: Resolver = {
      lookup: async () => [],
      srv: async () => {
        if (fail) throw new Error("SERVFAIL");
        return { records: [rec("t", 0, 1)], ttlSeconds: 1 };
      },
    };
    const clock = fixedClock(0);
    const cache = createSrvCache(resolver, clock);
    await cache.lookup("_s._tcp.a");
    fail = true;
    clock.advance(10_000);
    assert.deepEqual(await cache.lookup("_s._tcp.a"), { records: [rec("t", 0, 1)], cached: true });
    await assert.rejects(
      cache.lookup("_s._tcp.b"),
      (err: unknown) =>
        err instanceof FederationError &&
        err.kind === "dns" &&
        err.message === "DNS: SRV lookup of _s._tcp.b failed (SERVFAIL)",
    );
  });

  test("no records are not cached", async () => {
    const resolver = fakeResolver({}, {});
    const cache = createSrvCache(resolver, fixedClock(0));
    await cache.lookup("_s._tcp.a");
    await cache.lookup("_s._tcp.a");
    assert.equal(resolver.srvQueries.length, 2);
  });
});
