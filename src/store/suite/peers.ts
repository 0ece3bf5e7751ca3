import assert from "node:assert/strict";
import type { StoreTest } from "./harness.js";
import { now } from "./harness.js";

export function peerTests(t: StoreTest): void {
  t("only active peers with a key take part in replication", async (store) => {
    await store.peers.add({ name: "b.example", port: 4435, active: true, publicKeys: { ed25519: "KEYB" } });
    await store.peers.add({
      name: "a.example",
      port: null,
      active: true,
      publicKeys: { ed25519: "KA", x: "KX" },
    });
    await store.peers.add({ name: "off.example", port: null, active: false, publicKeys: { ed25519: "KO" } });
    await store.peers.add({ name: "keyless.example", port: 1, active: true, publicKeys: {} });
    const a = {
      name: "a.example",
      port: null,
      lastSentVersion: null,
      lastPokeSucceededAt: null,
      active: true,
      publicKeys: { ed25519: "KA", x: "KX" },
    };
    const b = { ...a, name: "b.example", port: 4435, publicKeys: { ed25519: "KEYB" } };
    assert.deepEqual(await store.peers.activePeers(), [a, b]);
    assert.deepEqual(await store.peers.activePeer("b.example"), b);
    assert.equal(await store.peers.activePeer("off.example"), undefined);
    assert.equal(await store.peers.activePeer("keyless.example"), undefined);
    assert.equal(await store.peers.activePeer("unknown"), undefined);

    await store.peers.updateProgress("b.example", 11, now);
    assert.deepEqual(await store.peers.activePeer("b.example"), {
      ...b,
      lastSentVersion: 11,
      lastPokeSucceededAt: now,
    });
    assert.deepEqual(
      (await store.peers.list()).map((p) => [p.name, p.active, Object.keys(p.publicKeys).length]),
      [
        ["a.example", true, 2],
        ["b.example", true, 1],
        ["keyless.example", true, 0],
        ["off.example", false, 1],
      ],
    );
  });

  t("peer names are unique; removing a peer removes its keys", async (store) => {
    await store.peers.add({ name: "p.example", port: null, active: true, publicKeys: { ed25519: "K1" } });
    await assert.rejects(store.peers.add({ name: "p.example", port: 1, active: true, publicKeys: {} }));
    assert.equal(await store.peers.remove("p.example"), true);
    assert.equal(await store.peers.remove("p.example"), false);
    assert.deepEqual(await store.peers.list(), []);
    // Re-adding with the same key algorithm works: the old key row went with the peer.
    await store.peers.add({ name: "p.example", port: null, active: true, publicKeys: { ed25519: "K2" } });
    assert.deepEqual((await store.peers.activePeer("p.example"))?.publicKeys, { ed25519: "K2" });
  });
}
