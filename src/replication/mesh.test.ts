// Real Cairn servers replicating to each other over mutual TLS: bindings reach every peer, unbinds
// remove them everywhere, and a peer that was down catches up with nothing lost or duplicated.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { engines } from "../../test/deps.js";
import { startMesh, type Mesh, type MeshNode } from "../../test/mesh.js";
import { until } from "../../test/replication.js";
import { testCa } from "../../test/tls.js";
import { lookupHash } from "../crypto/lookup-hash.js";
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
    test("a bind over the client API on one server is found by a v2 lookup over HTTP on the other", async () => {
      const [a, b] = mesh.nodes;
      assert.ok(a && b);
      // A session validated earlier on a, and a v2 account on b (a token as Sydent stored them).
      const sid = 4242;
      const sessions = a.server.deps.store.sessions;
      await sessions.create({
        sid,
        medium: "email",
        address: "Erin@Example.ORG",
        clientSecret: "s1",
        token: "t",
        now: Date.now(),
      });
      await sessions.markValidated(sid);
      await b.server.deps.store.accounts.addAccount("@reader:example.org", Date.now());
      await b.server.deps.store.accounts.addToken("@reader:example.org", "reader-token");

      const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
        fetch(url, {
          method: "POST",
          body: JSON.stringify(body),
          headers: { "content-type": "application/json", ...headers },
        });
      const bound = await post(`${a.server.clientUrl}/_matrix/identity/api/v1/3pid/bind`, {
        sid,
        client_secret: "s1",
        mxid: "@erin:example.org",
      });
      assert.equal(bound.status, 200, await bound.clone().text());

      const auth = { authorization: "Bearer reader-token" };
      const v2 = `${b.server.clientUrl}/_matrix/identity/v2`;
      const details = (await (await fetch(`${v2}/hash_details`, { headers: auth })).json()) as {
        lookup_pepper: string;
      };
      const hash = lookupHash("erin@example.org", "email", details.lookup_pepper);
      const lookup = { addresses: [hash], algorithm: "sha256", pepper: details.lookup_pepper };
      await until("b answers erin's hash", async () => {
        const res = await post(`${v2}/lookup`, lookup, auth);
        const { mappings } = (await res.json()) as { mappings?: Record<string, string> };
        return mappings?.[hash] === "@erin:example.org";
      });
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
