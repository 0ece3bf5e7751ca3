// Real Cairn servers replicating to each other over mutual TLS: bindings reach every peer, unbinds
// remove them everywhere, and a peer that was down catches up with nothing lost or duplicated.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { engines } from "../../test/deps.js";
import { startMesh, type Mesh, type MeshNode } from "../../test/mesh.js";
import { until } from "../../test/replication.js";
import { testCa } from "../../test/tls.js";
import { verifySignedJson } from "../crypto/signed-json.js";

const ca = testCa();

const boundTo = async (node: MeshNode, address: string) => (await node.lookup(address))?.mxid;

for (const engine of engines()) {
  describe(`a mesh of two (${engine})`, () => {
    let mesh: Mesh;
    before(async () => {
      mesh = await startMesh(["a.cairn.test", "b.cairn.test"], { ca, engine });
      await mesh.connectAll();
    });
    after(() => mesh.close());

    test("a bind on either side is found by lookup on the other; an unbind removes it from both", async () => {
      const [a, b] = mesh.nodes;
      assert.ok(a && b);
      await a.bind("alice@example.org", "@alice:example.org");
      await b.bind("bob@example.org", "@bob:example.org");
      await until(
        "b has alice",
        async () => (await boundTo(b, "alice@example.org")) === "@alice:example.org",
      );
      await until("a has bob", async () => (await boundTo(a, "bob@example.org")) === "@bob:example.org");
      const replicated = await b.lookup("alice@example.org");
      assert.equal(replicated?.originServer, "a.cairn.test");
      const signed = JSON.parse(replicated?.sgAssoc ?? "{}") as Record<string, unknown>;
      const aKey = a.server.deps.serverKey.publicKey;
      assert.ok(verifySignedJson(signed, "a.cairn.test", "ed25519:0", aKey).ok, "stored as a signed it");

      await a.unbind("alice@example.org", "@alice:example.org");
      assert.equal(await a.lookup("alice@example.org"), undefined, "gone locally before the push");
      await until("b lost alice", async () => (await b.lookup("alice@example.org")) === undefined);
    });
  });

  describe(`a mesh of three (${engine})`, () => {
    let mesh: Mesh;
    before(async () => {
      mesh = await startMesh(["a.cairn.test", "b.cairn.test", "c.cairn.test"], {
        ca,
        engine,
        replication: { push_batch_size: 2 },
      });
      await mesh.connectAll();
    });
    after(() => mesh.close());

    test("bindings reach every server, unbinds and rebinds too", async () => {
      const [a, b, c] = mesh.nodes;
      assert.ok(a && b && c);
      await a.bind("carol@example.org", "@carol:example.org");
      await c.bind("dan@example.org", "@dan:example.org");
      for (const node of mesh.nodes) {
        await until(`${node.name} has carol and dan`, async () => {
          return (
            (await boundTo(node, "carol@example.org")) === "@carol:example.org" &&
            (await boundTo(node, "dan@example.org")) === "@dan:example.org"
          );
        });
      }
      await a.unbind("carol@example.org", "@carol:example.org");
      await c.bind("dan@example.org", "@daniel:example.org");
      for (const node of mesh.nodes) {
        await until(`${node.name} lost carol and sees dan rebound`, async () => {
          return (
            (await node.lookup("carol@example.org")) === undefined &&
            (await boundTo(node, "dan@example.org")) === "@daniel:example.org"
          );
        });
      }
    });

    test("a server that was down catches up when it returns: nothing lost, nothing twice", async () => {
      const [a, b, c] = mesh.nodes;
      assert.ok(a && b && c);
      await b.stop();
      const addresses = Array.from({ length: 7 }, (_, i) => `down${i}@example.org`);
      let last = 0;
      for (const address of addresses) last = await a.bind(address, `@${address.split("@")[0]}:example.org`);
      await a.unbind("down3@example.org", "@down3:example.org");
      await until(
        "c has them all",
        async () => (await boundTo(c, "down6@example.org")) === "@down6:example.org",
      );
      const behind = async () =>
        (await a.server.deps.store.peers.activePeer("b.cairn.test"))?.lastSentVersion;
      assert.ok(((await behind()) ?? 0) < last, "b has not accepted them while down");

      await b.start();
      await until("b caught up", async () => {
        return (
          (await b.lookup("down6@example.org")) !== undefined &&
          (await b.lookup("down0@example.org")) !== undefined
        );
      });
      for (const address of addresses) {
        const expected =
          address === "down3@example.org" ? undefined : `@${address.split("@")[0]}:example.org`;
        assert.equal(await boundTo(b, address), expected, address);
      }
      // Every binding a made that still stands is in b's table exactly once.
      const fromA = await b.server.deps.store.associations.originIdStats("a.cairn.test");
      const stillBound = (await a.server.deps.store.associations.localAfter(null)).filter(
        (r) => r.mxid !== null,
      );
      assert.equal(fromA.count, stillBound.length);
    });
  });
}
