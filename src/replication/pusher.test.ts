// How the pusher behaves where Sydent's does not: backoff after failures, one push at a time per
// peer, one pushing instance per database, and a peer with a bad key skipped, not fatal.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { testDeps, type TestDeps } from "../../test/deps.js";
import {
  peerKey,
  sleep,
  startFakePeer,
  until,
  type FakePeer,
  replicationPem,
} from "../../test/replication.js";
import { testCa } from "../../test/tls.js";
import { createMetrics } from "../metrics/metrics.js";
import { createPusher, type Pusher } from "./pusher.js";

const ca = testCa();
const SERVER = "id.cairn.test";
const tls = { pem: replicationPem(ca, SERVER), ca: ca.cert, commonName: SERVER };
const peerPem = replicationPem(ca, "peer.cairn.test");
const PEER = "peer.cairn.test";
const { publicKeyBase64 } = peerKey(3);

const settings = { push_interval_ms: 100, push_batch_size: 2, max_backoff_ms: 400 };

async function bind(deps: TestDeps, address: string): Promise<number> {
  const ts = deps.clock.now() - 1;
  const row = await deps.store.associations.upsertLocal({
    medium: "email",
    address,
    mxid: "@u:x",
    ts,
    notBefore: ts,
    notAfter: ts + 1000,
    lookupHash: "h",
  });
  return row.id;
}

const lastSent = async (deps: TestDeps, name = PEER) =>
  (await deps.store.peers.activePeer(name))?.lastSentVersion;

describe("pusher", () => {
  let deps: TestDeps;
  let fake: FakePeer;
  let status = 200;
  let delayMs = 0;
  const pushers: Pusher[] = [];
  const pusher = (d = deps) => {
    const p = createPusher(d, { tls, connectTo: () => ({ host: "127.0.0.1", port: fake.port }) });
    pushers.push(p);
    return p;
  };

  before(async () => {
    fake = await startFakePeer(ca.cert, peerPem, () => ({
      status,
      body: { errcode: "M_UNKNOWN" },
      delayMs,
    }));
  });
  after(() => fake.close());

  const fresh = async () => {
    for (const p of pushers.splice(0)) await p.stop();
    await deps?.cleanup();
    deps = await testDeps({ conf: { replication: settings } });
    await deps.store.peers.add({
      name: PEER,
      port: 1,
      active: true,
      publicKeys: { ed25519: publicKeyBase64 },
    });
    fake.requests.length = 0;
    fake.maxConcurrent = 0;
    status = 200;
    delayMs = 0;
  };
  after(async () => {
    for (const p of pushers.splice(0)) await p.stop();
    await deps.cleanup();
  });

  test("a refused push changes nothing and the peer waits longer after each failure", async () => {
    await fresh();
    const id = await bind(deps, "a@x");
    status = 500;
    const p = pusher();
    p.start();
    // Counted once the pusher has seen the answer (and set the wait from the clock's time).
    const failures = async () =>
      (await deps.metrics.replicationPushes.get()).values.find((v) => v.labels.outcome === "failure")?.value;
    await until("the first attempt", async () => (await failures()) === 1);
    // The clock stands still: the timer and pokes come, but the wait (one interval) is not over.
    p.poke();
    await sleep(250);
    assert.equal(fake.requests.length, 1, "no retry before the wait is over");
    assert.equal(await lastSent(deps), null);
    deps.clock.advance(99);
    p.poke();
    await sleep(150);
    assert.equal(fake.requests.length, 1);
    deps.clock.advance(1);
    await until("the second attempt", async () => (await failures()) === 2);
    // The wait doubles: 200 ms, then 400 ms (max_backoff_ms), then stays there.
    deps.clock.advance(199);
    await sleep(250);
    assert.equal(fake.requests.length, 2);
    deps.clock.advance(1);
    await until("the third attempt", async () => (await failures()) === 3);
    deps.clock.advance(399);
    await sleep(250);
    assert.equal(fake.requests.length, 3);
    status = 200;
    deps.clock.advance(1);
    await until("the peer accepted the row", async () => (await lastSent(deps)) === id);
    assert.equal((await deps.store.peers.activePeer(PEER))?.lastPokeSucceededAt, deps.clock.now());
    const pushes = await deps.metrics.replicationPushes.get();
    assert.deepEqual(pushes.values.map((v) => [v.labels.outcome, v.value]).sort(), [
      ["failure", 3],
      ["success", 1],
    ]);
  });

  test("one push at a time per peer; rows bound meanwhile follow in later batches", async () => {
    await fresh();
    delayMs = 150;
    await bind(deps, "a@x");
    const p = pusher();
    p.start();
    await until("a push in flight", () => fake.requests.length === 1);
    for (const address of ["b@x", "c@x", "d@x"]) {
      await bind(deps, address);
      p.poke();
    }
    const last = await bind(deps, "e@x");
    p.poke();
    await until("every row accepted", async () => (await lastSent(deps)) === last, 15_000);
    assert.equal(fake.maxConcurrent, 1);
    const ids = fake.requests.map((r) => Object.keys((JSON.parse(r.body) as { sgAssocs: object }).sgAssocs));
    assert.deepEqual(ids.flat(), ["1", "2", "3", "4", "5"], "each row sent once, in order");
    assert.ok(
      ids.every((batch) => batch.length <= 2),
      "batches of push_batch_size",
    );
  });

  test("with two instances on one database only the lease holder pushes", async () => {
    await fresh();
    const firstDeps = deps;
    const secondDeps = { ...deps, metrics: createMetrics({ defaultMetrics: false }) };
    const successes = async (d: TestDeps) =>
      (await d.metrics.replicationPushes.get()).values.find((v) => v.labels.outcome === "success")?.value ??
      0;
    const first = pusher(firstDeps);
    const a = await bind(deps, "a@x");
    first.start();
    await until("the first pushed, so it holds the lease", async () => (await lastSent(deps)) === a);
    const second = pusher(secondDeps);
    second.start();
    const b = await bind(deps, "b@x");
    second.poke();
    first.poke();
    await until("the peer accepted the second row", async () => (await lastSent(deps)) === b);
    await sleep(250);
    assert.equal(fake.requests.length, 2, "each row pushed once");
    assert.deepEqual([await successes(firstDeps), await successes(secondDeps)], [2, 0]);
    await first.stop();
    const c = await bind(deps, "c@x");
    second.poke();
    await until("the second took over", async () => (await lastSent(deps)) === c);
    assert.deepEqual([await successes(firstDeps), await successes(secondDeps)], [2, 1]);
  });

  test("a peer whose key does not decode is skipped; the others are still pushed", async () => {
    await fresh();
    await deps.store.peers.add({
      name: "bad.cairn.test",
      port: 1,
      active: true,
      publicKeys: { ed25519: "c2hvcnQ" },
    });
    await deps.store.peers.add({
      name: "keyless.cairn.test",
      port: 1,
      active: true,
      publicKeys: { rsa: "x" },
    });
    const id = await bind(deps, "a@x");
    pusher().start();
    await until("the good peer accepted the row", async () => (await lastSent(deps)) === id);
    await sleep(100);
    assert.equal(fake.requests.length, 1);
    assert.equal(await lastSent(deps, "bad.cairn.test"), null);
    const behind = await deps.metrics.replicationBehind.get();
    assert.deepEqual(behind.values.map((v) => [v.labels.peer, v.value]).sort(), [
      ["bad.cairn.test", 1],
      ["keyless.cairn.test", 1],
      [PEER, 0],
    ]);
  });

  test("the peer's certificate must come from our CA and name the host pushes go to", async () => {
    await fresh();
    const id = await bind(deps, "a@x");
    const impostors = [
      await startFakePeer(ca.cert, replicationPem(ca, "elsewhere.cairn.test")),
      await startFakePeer(ca.cert, replicationPem(testCa("Another CA"), PEER)),
    ];
    try {
      for (const impostor of impostors) {
        const p = createPusher(deps, { tls, connectTo: () => ({ host: "127.0.0.1", port: impostor.port }) });
        pushers.push(p);
        p.start();
        await until("the push failed", async () => {
          const pushes = await deps.metrics.replicationPushes.get();
          return pushes.values.some((v) => v.labels.outcome === "failure");
        });
        await p.stop();
        deps.metrics.replicationPushes.reset();
        assert.equal(impostor.requests.length, 0, "nothing was sent");
      }
      assert.equal(await lastSent(deps), null);
      // The genuine peer, for comparison, takes it.
      pusher().start();
      await until("the peer accepted the row", async () => (await lastSent(deps)) === id);
    } finally {
      for (const impostor of impostors) await impostor.close();
    }
  });
});
