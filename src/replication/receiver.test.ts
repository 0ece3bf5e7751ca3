// The replication listener over real mutual TLS: who may push, what is refused with which of
// Sydent's errors, and what a push writes (or, refused, does not write).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { engines, testDeps, type TestDeps } from "../../test/deps.js";
import { peerKey, rawPush, signedBy, replicationPem } from "../../test/replication.js";
import { testCa } from "../../test/tls.js";
import { pythonJsonDumps } from "../crypto/canonical-json.js";
import { lookupHash } from "../crypto/lookup-hash.js";
import { signJson } from "../crypto/signed-json.js";
import type { Threepid } from "../store/store.js";
import { PUSH_PATH } from "./protocol.js";
import { startReplicationListener, type ReplicationListener } from "./receiver.js";

const ca = testCa();
const otherCa = testCa("Another CA");
const SERVER = "id.cairn.test";
const PEER = "peer.cairn.test";
const serverPem = replicationPem(ca, SERVER);
const peerPem = replicationPem(ca, PEER);
const strangerPem = replicationPem(ca, "stranger.cairn.test");
const impostorPem = replicationPem(otherCa, PEER);
const peer = peerKey(7);
const T = 1796414000000;

const email = (address: string): Threepid => ({ medium: "email", address });

for (const engine of engines()) {
  describe(`replication listener (${engine})`, () => {
    let deps: TestDeps;
    let listener: ReplicationListener;
    let url: string;

    before(async () => {
      deps = await testDeps({ engine });
      await deps.store.peers.add({
        name: PEER,
        port: null,
        active: true,
        publicKeys: { ed25519: peer.publicKeyBase64 },
      });
      await deps.store.peers.add({
        name: "off.cairn.test",
        port: null,
        active: false,
        publicKeys: { ed25519: peer.publicKeyBase64 },
      });
      listener = await startReplicationListener(
        deps,
        { pem: serverPem, ca: ca.cert, commonName: SERVER },
        "127.0.0.1",
        0,
      );
      url = `${listener.url}${PUSH_PATH}`;
    });
    after(async () => {
      await listener.close();
      await deps.cleanup();
    });

    const push = (body: unknown, options: { pem?: string; contentType?: string | null } = {}) =>
      rawPush(url, {
        pem: "pem" in options ? options.pem : peerPem,
        ca: ca.cert,
        body: typeof body === "string" ? body : JSON.stringify(body),
        contentType: options.contentType,
      });
    const lookup = (address: string) => deps.store.associations.lookup(email(address), deps.clock.now());

    test("stores a verified batch: folded address, our pepper, the object as received, origin and id", async () => {
      const bound = signedBy(PEER, peer.key, "email", "Pat@Example.NET", "@pat:x", T);
      const phone = signedBy(PEER, peer.key, "msisdn", "33612345678", "@pat:x", T + 1);
      const res = await push({ sgAssocs: { "1": bound, "2": phone } });
      assert.deepEqual(res, { status: 200, json: { success: true } });
      assert.deepEqual(await lookup("pat@example.net"), {
        id: (await lookup("pat@example.net"))?.id,
        medium: "email",
        address: "pat@example.net",
        mxid: "@pat:x",
        ts: T,
        notBefore: T,
        notAfter: bound.not_after,
        originServer: PEER,
        originId: 1,
        sgAssoc: pythonJsonDumps(bound),
        lookupHash: lookupHash("pat@example.net", "email", deps.pepper),
      });
      const stored = await deps.store.associations.lookup(
        { medium: "msisdn", address: "33612345678" },
        deps.clock.now(),
      );
      assert.equal(stored?.originId, 2);
      assert.equal(stored?.lookupHash, lookupHash("33612345678", "msisdn", deps.pepper));

      // The same push again changes nothing: (originServer, originId) is already there.
      assert.equal((await push({ sgAssocs: { "1": bound, "2": phone } })).status, 200);
      assert.deepEqual(await deps.store.associations.originIdStats(PEER), { max: 2, count: 2 });
    });

    test("entries are applied in numeric order of their ids, a deletion removing rows of every origin", async () => {
      await deps.store.associations.insertGlobal({
        medium: "email",
        address: "order@x",
        mxid: "@other:x",
        ts: T,
        notBefore: T,
        notAfter: T + 1e12,
        originServer: "elsewhere.example",
        originId: 1,
        sgAssoc: "{}",
        lookupHash: null,
      });
      // JSON.parse puts "10" before "09"; by number the deletion (9) comes first, then the binding.
      const body = `{"sgAssocs": {"10": ${JSON.stringify(signedBy(PEER, peer.key, "email", "order@x", "@new:x", T))}, "09": ${JSON.stringify(signedBy(PEER, peer.key, "email", "Order@X", null, T))}}}`;
      assert.equal((await push(body)).status, 200);
      assert.equal((await lookup("order@x"))?.mxid, "@new:x");
      assert.deepEqual(await deps.store.associations.originIdStats("elsewhere.example"), {
        max: null,
        count: 0,
      });
    });

    test("any failed association refuses the whole batch, lists every failure and stores nothing", async () => {
      await push({ sgAssocs: { "20": signedBy(PEER, peer.key, "email", "keep@x", "@keep:x", T) } });
      const forged = { ...signedBy(PEER, peer.key, "email", "forged@x", "@a:x", T), mxid: "@mallory:x" };
      const wrongKey = signedBy(PEER, peerKey(8).key, "email", "wrongkey@x", "@a:x", T);
      const wrongName = signedBy("stranger.cairn.test", peer.key, "email", "wrongname@x", "@a:x", T);
      const { ts: _ts, ...missingTs } = signedBy(PEER, peer.key, "email", "nots@x", "@a:x", T);
      const version1 = signedBy(PEER, peer.key, "email", "v1@x", "@a:x", T);
      version1.signatures = { [PEER]: { "ed25519:1": version1.signatures[PEER]?.["ed25519:0"] ?? "" } };
      const deletion = signedBy(PEER, peer.key, "email", "keep@x", null, T);
      const good = signedBy(PEER, peer.key, "email", "good@x", "@a:x", T);
      const res = await push({
        sgAssocs: {
          "21": good,
          "22": deletion,
          "23": forged,
          "24": wrongKey,
          "25": wrongName,
          "26": missingTs,
          "27": version1,
          "28": "text",
        },
      });
      assert.deepEqual(res, {
        status: 400,
        json: {
          errcode: "M_VERIFICATION_FAILED",
          error: "Verification failed for one or more associations",
          failed_ids: ["23", "24", "25", "26", "27", "28"],
        },
      });
      assert.equal(
        (await lookup("keep@x"))?.mxid,
        "@keep:x",
        "the deletion in the refused batch did not happen",
      );
      assert.equal(await lookup("good@x"), undefined);
    });

    test("a binding whose fields cannot make a row is a failure, not a crash", async () => {
      const { signatures: _s, ...fields } = signedBy(PEER, peer.key, "email", "s@x", "@a:x", T);
      const badTs = signJson({ ...fields, ts: "yesterday" }, PEER, peer.key);
      const res = await push({ sgAssocs: { "30": badTs } });
      assert.equal(res.status, 400);
      assert.deepEqual((res.json as { failed_ids: string[] }).failed_ids, ["30"]);
    });

    test("Sydent's refusals: unknown or inactive peer, content type, JSON, sgAssocs", async () => {
      const one = { sgAssocs: { "40": signedBy(PEER, peer.key, "email", "never@x", "@a:x", T) } };
      const unknownPeer = { errcode: "M_UNKNOWN_PEER", error: "This peer is not known to this server" };
      assert.deepEqual(await push(one, { pem: strangerPem }), { status: 403, json: unknownPeer });
      assert.deepEqual(await push(one, { pem: replicationPem(ca, "off.cairn.test") }), {
        status: 403,
        json: unknownPeer,
      });
      const notJson = { status: 400, json: { errcode: "M_NOT_JSON", error: "This endpoint expects JSON" } };
      assert.deepEqual(await push(one, { contentType: "application/json; charset=utf-8" }), notJson);
      assert.deepEqual(await push(one, { contentType: "text/plain" }), notJson);
      assert.deepEqual(await push(one, { contentType: null }), notJson);
      assert.deepEqual(await push("{not json", {}), {
        status: 400,
        json: { errcode: "M_BAD_JSON", error: "Malformed JSON" },
      });
      assert.deepEqual(await push({ sg_assocs: {} }), {
        status: 400,
        json: { errcode: "M_BAD_JSON", error: 'No "sgAssocs" key in JSON' },
      });
      assert.equal((await push({ sgAssocs: { x: one.sgAssocs["40"] } })).status, 400);
      assert.equal((await push({ sgAssocs: [] })).status, 400);
      // The unknown peer is refused before its body is looked at.
      assert.equal((await push("{not json", { pem: strangerPem })).status, 403);
      assert.equal(await lookup("never@x"), undefined);
    });

    test("TLS refuses a client without a certificate or with one from another CA", async () => {
      const one = { sgAssocs: { "50": signedBy(PEER, peer.key, "email", "tls@x", "@a:x", T) } };
      await assert.rejects(push(one, { pem: undefined }));
      await assert.rejects(push(one, { pem: impostorPem }));
      assert.equal(await lookup("tls@x"), undefined);
    });

    test("a peer key stored in hex (Sydent's 2014 form) is accepted", async () => {
      const hexPeer = peerKey(9);
      await deps.store.peers.add({
        name: "hex.cairn.test",
        port: null,
        active: true,
        publicKeys: { ed25519: hexPeer.key.publicKey.toString("hex") },
      });
      const body = {
        sgAssocs: { "1": signedBy("hex.cairn.test", hexPeer.key, "email", "hex@x", "@h:x", T) },
      };
      assert.equal((await push(body, { pem: replicationPem(ca, "hex.cairn.test") })).status, 200);
      assert.equal((await lookup("hex@x"))?.originServer, "hex.cairn.test");
    });

    test("a peer whose stored key does not decode is treated as unknown", async () => {
      await deps.store.peers.add({
        name: "badkey.cairn.test",
        port: null,
        active: true,
        publicKeys: { ed25519: "c2hvcnQ" },
      });
      const body = { sgAssocs: { "1": signedBy("badkey.cairn.test", peer.key, "email", "bk@x", "@b:x", T) } };
      assert.equal((await push(body, { pem: replicationPem(ca, "badkey.cairn.test") })).status, 403);
    });
  });
}
