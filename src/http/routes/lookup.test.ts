// Lookups over HTTP on every engine: every path answers the same binding, the newest one, only
// while it is valid; batches mixing hits, misses, duplicates and junk; v1 countersigning.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { lookupHash } from "../../crypto/lookup-hash.js";
import { verifySignedJson } from "../../crypto/signed-json.js";
import { signingKeyFromSeed } from "../../crypto/signing-key.js";
import { buildApp } from "../../app.js";
import { acceptTestToken, bearer } from "../../../test/auth.js";
import { engines, FIXTURE_NOW, testDeps, type TestDeps } from "../../../test/deps.js";
import { lookupEverywhere, V1, V2, v2Lookup, writeBinding } from "../../../test/lookups.js";

const now = FIXTURE_NOW;
const peerKey = signingKeyFromSeed(Buffer.alloc(32, 7), "0");
const PEER = "peer.example.net";

for (const engine of engines()) {
  describe(`lookups (${engine})`, () => {
    let deps: TestDeps;
    const app = () => buildApp(deps);
    before(async () => {
      deps = await testDeps({ engine, auth: acceptTestToken });
    });
    after(() => deps.cleanup());

    test("hash_details gives the pepper held in memory", async () => {
      const res = await app().inject({ url: `${V2}/hash_details`, headers: bearer });
      assert.equal(res.statusCode, 200);
      assert.match(deps.pepper, /^[0-9A-Za-z]{5}$/);
      assert.equal(res.body, JSON.stringify({ algorithms: ["sha256", "none"], lookup_pepper: deps.pepper }));
    });

    test("every path answers the same mxid for a binding", async () => {
      await writeBinding(deps, { address: "alice@example.org", mxid: "@alice:example.org", ts: now - 50 });
      await writeBinding(deps, { medium: "msisdn", address: "447700900461", mxid: "@al:x", ts: now - 50 });
      const a = app();
      const all = (mxid: string) => ({ v1: mxid, bulk: mxid, none: mxid, sha256: mxid });
      assert.deepEqual(
        await lookupEverywhere(a, deps.pepper, "email", "alice@example.org"),
        all("@alice:example.org"),
      );
      assert.deepEqual(await lookupEverywhere(a, deps.pepper, "msisdn", "447700900461"), all("@al:x"));
      const nobody = await lookupEverywhere(a, deps.pepper, "email", "nobody@example.org");
      assert.deepEqual(nobody, { v1: undefined, bulk: undefined, none: undefined, sha256: undefined });
      assert.equal((await a.inject({ url: `${V1}/lookup?medium=email&address=x@y` })).body, "{}");
    });

    test("a re-bind answers the new mxid everywhere, even one sorting before the old", async () => {
      await writeBinding(deps, { address: "re@example.org", mxid: "@zed:example.org", ts: now - 30 });
      await writeBinding(deps, { address: "re@example.org", mxid: "@abe:example.org", ts: now - 20 });
      const mxid = "@abe:example.org";
      assert.deepEqual(await lookupEverywhere(app(), deps.pepper, "email", "re@example.org"), {
        v1: mxid,
        bulk: mxid,
        none: mxid,
        sha256: mxid,
      });
    });

    test("bindings outside their validity window are ignored (bounds excluded)", async () => {
      const cases = {
        "expired@x": { notBefore: now - 100, notAfter: now - 1 },
        "ends-now@x": { notBefore: now - 100, notAfter: now },
        "starts-now@x": { notBefore: now, notAfter: now + 100 },
        "future@x": { notBefore: now + 1, notAfter: now + 100 },
      };
      for (const [address, window] of Object.entries(cases)) {
        await writeBinding(deps, { address, mxid: "@old:x", ts: now - 100, ...window });
        const found = await lookupEverywhere(app(), deps.pepper, "email", address);
        assert.deepEqual(
          found,
          { v1: undefined, bulk: undefined, none: undefined, sha256: undefined },
          address,
        );
      }
      await writeBinding(deps, { address: "just@x", mxid: "@j:x", ts: now - 2, notAfter: now + 1 });
      assert.equal((await lookupEverywhere(app(), deps.pepper, "email", "just@x")).sha256, "@j:x");
    });

    test("sha256: hits, misses, duplicates and malformed entries in one batch", async () => {
      await writeBinding(deps, { address: "h1@x", mxid: "@h1:x", ts: now - 10 });
      await writeBinding(deps, { medium: "msisdn", address: "4412345", mxid: "@h2:x", ts: now - 10 });
      const h1 = lookupHash("h1@x", "email", deps.pepper);
      const h2 = lookupHash("4412345", "msisdn", deps.pepper);
      const miss = lookupHash("nobody@x", "email", deps.pepper);
      const upper = lookupHash("H1@x", "email", deps.pepper);
      const addresses = [
        h1,
        miss,
        h1,
        "short",
        h2,
        42,
        null,
        { h: h1 },
        [h2],
        `${h1.slice(0, 42)}+`,
        upper,
        h2,
      ];
      const res = await v2Lookup(app(), { addresses, algorithm: "sha256", pepper: deps.pepper });
      assert.equal(res.statusCode, 200);
      assert.deepEqual(res.json(), { mappings: { [h1]: "@h1:x", [h2]: "@h2:x" } });
      const empty = await v2Lookup(app(), { addresses: [], algorithm: "sha256", pepper: deps.pepper });
      assert.deepEqual(empty.json(), { mappings: {} });
    });

    test("none: entries keyed as sent, ASCII case ignored, Python's whitespace rules", async () => {
      await writeBinding(deps, { address: "plain@example.org", mxid: "@p:x", ts: now - 10 });
      await writeBinding(deps, { address: "émile@example.org", mxid: "@e:x", ts: now - 10 });
      const addresses = [
        "plain@example.org email",
        "PLAIN@Example.ORG email",
        "plain@example.org email",
        "  plain@example.org\t\x1femail\u3000",
        "plain@example.org EMAIL",
        "plain@example.org msisdn",
        "ÉMILE@example.org email",
        "émile@EXAMPLE.org email",
        "nobody@example.org email",
      ];
      const res = await v2Lookup(app(), { addresses, algorithm: "none", pepper: deps.pepper });
      assert.equal(res.statusCode, 200);
      assert.deepEqual(res.json(), {
        mappings: {
          "plain@example.org email": "@p:x",
          "PLAIN@Example.ORG email": "@p:x",
          "  plain@example.org\t\x1femail\u3000": "@p:x",
          "émile@EXAMPLE.org email": "@e:x",
        },
      });
    });

    test("bulk: pairs echoed as sent, each once, ordered by medium then address", async () => {
      await writeBinding(deps, { address: "bulk-b@x", mxid: "@b:x", ts: now - 10 });
      await writeBinding(deps, { address: "bulk-a@x", mxid: "@a:x", ts: now - 10 });
      await writeBinding(deps, { medium: "msisdn", address: "3361", mxid: "@m:x", ts: now - 10 });
      const threepids = [
        ["msisdn", "3361"],
        ["email", "bulk-b@x"],
        ["email", "BULK-A@x"],
        ["email", "bulk-b@x"],
        ["email", "bulk-a@x"],
        ["email", "missing@x"],
        ["msisdn", "bulk-a@x"],
      ];
      const res = await app().inject({ method: "POST", url: `${V1}/bulk_lookup`, payload: { threepids } });
      assert.equal(res.statusCode, 200);
      assert.deepEqual(res.json(), {
        threepids: [
          ["email", "BULK-A@x", "@a:x"],
          ["email", "bulk-a@x", "@a:x"],
          ["email", "bulk-b@x", "@b:x"],
          ["msisdn", "3361", "@m:x"],
        ],
      });
      const none = await app().inject({
        method: "POST",
        url: `${V1}/bulk_lookup`,
        payload: { threepids: [] },
      });
      assert.deepEqual(none.json(), { threepids: [] });
    });

    test("stored spellings differing in ASCII case count as one 3PID: the newest wins", async () => {
      const peer = (originId: number) => ({ name: PEER, key: peerKey, originId });
      await writeBinding(deps, { address: "Case@X", mxid: "@new:x", ts: now - 10, peer: peer(100) });
      await writeBinding(deps, { address: "case@x", mxid: "@old:x", ts: now - 20, peer: peer(101) });
      const found = await lookupEverywhere(app(), deps.pepper, "email", "CASE@x");
      assert.equal(found.v1, "@new:x");
      assert.equal(found.bulk, "@new:x");
      assert.equal(found.none, "@new:x");
    });

    test("v1 serves the stored association, countersigned by us when a peer signed it", async () => {
      await writeBinding(deps, { address: "own@x", mxid: "@own:x", ts: now - 10 });
      await writeBinding(deps, {
        address: "remote@x",
        mxid: "@remote:x",
        ts: now - 10,
        peer: { name: PEER, key: peerKey, originId: 1 },
      });
      const serverName = deps.config.general.serverName;
      const lookup = async (address: string) =>
        (await app().inject({ url: `${V1}/lookup`, query: { medium: "email", address } })).json();

      const own = await lookup("own@x");
      assert.deepEqual(Object.keys(own.signatures), [serverName]);
      assert.deepEqual(verifySignedJson(own, serverName, "ed25519:0", deps.serverKey.publicKey), {
        ok: true,
      });

      const remote = await lookup("remote@x");
      assert.deepEqual(Object.keys(remote), [
        "medium",
        "address",
        "mxid",
        "ts",
        "not_before",
        "not_after",
        "signatures",
      ]);
      assert.deepEqual(Object.keys(remote.signatures), [PEER, serverName]);
      assert.deepEqual(verifySignedJson(remote, PEER, "ed25519:0", peerKey.publicKey), { ok: true });
      assert.deepEqual(verifySignedJson(remote, serverName, "ed25519:0", deps.serverKey.publicKey), {
        ok: true,
      });
      const stored = await deps.store.associations.lookup({ medium: "email", address: "remote@x" }, now);
      assert.deepEqual(Object.keys(JSON.parse(stored?.sgAssoc ?? "{}").signatures), [PEER]);
    });
  });
}
