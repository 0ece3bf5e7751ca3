import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { verifySignedJson } from "../crypto/signed-json.js";
import { engines, FIXTURE_NOW, testDeps, TEST_SERVER_NAME, type TestDeps } from "../../test/deps.js";
import { enqueueOnbind, onbindDestination } from "./onbind.js";
import { associationFromLocal, ASSOCIATION_LIFETIME_MS, type Association } from "./signed-association.js";

const ADDRESS = "invitee@example.org";
const MXID = "@invitee:hs.example:8448";
const DAY_MS = 24 * 60 * 60 * 1000;

function association(mxid = MXID): Association {
  return associationFromLocal({
    id: 1,
    medium: "email",
    address: ADDRESS,
    mxid,
    ts: FIXTURE_NOW,
    notBefore: FIXTURE_NOW,
    notAfter: FIXTURE_NOW + ASSOCIATION_LIFETIME_MS,
    lookupHash: "h",
  });
}

async function storeInvite(deps: TestDeps, token: string, roomId: string, expiresAt = FIXTURE_NOW + DAY_MS) {
  await deps.store.invites.add({
    medium: "email",
    address: ADDRESS,
    roomId,
    sender: "@inviter:other.example",
    token,
    ephemeralPublicKey: `key-${token}`,
    receivedTs: Math.floor(FIXTURE_NOW / 1000) - 60,
    expiresAt,
  });
}

function verifies(obj: unknown, deps: TestDeps): boolean {
  const result = verifySignedJson(
    obj as Record<string, unknown>,
    TEST_SERVER_NAME,
    "ed25519:0",
    deps.serverKey.publicKey,
  );
  return result.ok;
}

test("the destination is the mxid's server part when it is a valid server name", () => {
  assert.equal(onbindDestination("@a:hs.example"), "hs.example");
  assert.equal(onbindDestination("@a:hs.example:8448"), "hs.example:8448");
  assert.equal(onbindDestination("@a:[::1]:8448"), "[::1]:8448");
  assert.equal(onbindDestination("@a"), null);
  assert.equal(onbindDestination("@a:hs_example"), null);
  assert.equal(onbindDestination("@a:hs.example:0"), null);
});

for (const engine of engines()) {
  describe(`enqueueOnbind (${engine})`, () => {
    let deps: TestDeps;
    before(async () => {
      deps = await testDeps({ engine });
    });
    after(() => deps.cleanup());

    test("queues the signed association with the pending invitations, each signed, and marks them sent", async () => {
      await storeInvite(deps, "tokenA", "!a:other.example");
      await storeInvite(deps, "tokenB", "!b:other.example");
      await storeInvite(deps, "expired", "!c:other.example", FIXTURE_NOW - 1);
      const signed = await deps.store.transaction((tx) =>
        enqueueOnbind(tx, deps, { mxid: MXID, association: association() }),
      );
      const [row] = await deps.store.onbind.claimDue(FIXTURE_NOW, 10, FIXTURE_NOW + 1000);
      assert.ok(row);
      assert.equal(row.destination, "hs.example:8448");
      assert.equal(row.body, JSON.stringify(signed), "the queued body is what the bind answers");
      const body = JSON.parse(row.body) as Record<string, unknown>;
      assert.deepEqual(Object.keys(body), [
        "medium",
        "address",
        "mxid",
        "ts",
        "not_before",
        "not_after",
        "invites",
        "signatures",
      ]);
      assert.equal(verifies(body, deps), true, "the association's signature covers the invites");
      const invites = body.invites as Record<string, unknown>[];
      assert.deepEqual(
        invites.map(({ signed: _s, ...rest }) => rest),
        ["tokenA", "tokenB"].map((token, i) => ({
          medium: "email",
          address: ADDRESS,
          room_id: i === 0 ? "!a:other.example" : "!b:other.example",
          sender: "@inviter:other.example",
          token,
          mxid: MXID,
        })),
      );
      for (const invite of invites) {
        const proof = invite.signed as Record<string, unknown>;
        assert.deepEqual(Object.keys(proof), ["mxid", "token", "signatures"]);
        assert.equal(proof.token, invite.token);
        assert.equal(proof.mxid, MXID);
        assert.equal(verifies(proof, deps), true);
      }
      const stored = await deps.store.invites.list({ address: ADDRESS });
      const sent = stored.filter((i) => i.token !== "expired").map((i) => i.sentTs);
      assert.deepEqual(sent, [Math.floor(FIXTURE_NOW / 1000), Math.floor(FIXTURE_NOW / 1000)]);
      assert.equal(
        await deps.store.invites.senderForToken("tokenA", { now: FIXTURE_NOW, legacyLifetimeMs: DAY_MS }),
        "@inviter:other.example",
        "the tokens stay until delivered",
      );

      // A second bind of the address delivers nothing again.
      await deps.store.transaction((tx) =>
        enqueueOnbind(tx, deps, { mxid: MXID, association: association() }),
      );
      const [second] = await deps.store.onbind.claimDue(FIXTURE_NOW, 10, FIXTURE_NOW + 1000);
      assert.ok(second);
      const secondBody = JSON.parse(second.body) as Record<string, unknown>;
      assert.equal("invites" in secondBody, false);
      assert.equal(verifies(secondBody, deps), true);
      await deps.store.onbind.markDelivered(row.id);
      await deps.store.onbind.markDelivered(second.id);
    });

    test("an mxid without a valid server name is bound but not notified", async () => {
      const signed = await deps.store.transaction((tx) =>
        enqueueOnbind(tx, deps, { mxid: "@nobody", association: association("@nobody") }),
      );
      assert.equal(signed.mxid, "@nobody");
      assert.equal(await deps.store.onbind.depth(), 0);
    });

    test("nothing is queued or marked when the bind's transaction rolls back", async () => {
      const address = "rollback@example.org";
      await deps.store.invites.add({
        medium: "email",
        address,
        roomId: "!r:other.example",
        sender: "@inviter:other.example",
        token: "tokenR",
        ephemeralPublicKey: "key-tokenR",
        receivedTs: Math.floor(FIXTURE_NOW / 1000),
        expiresAt: FIXTURE_NOW + DAY_MS,
      });
      await assert.rejects(
        deps.store.transaction(async (tx) => {
          await enqueueOnbind(tx, deps, { mxid: MXID, association: { ...association(), address } });
          throw new Error("later step failed");
        }),
      );
      assert.equal(await deps.store.onbind.depth(), 0);
      const [invite] = await deps.store.invites.list({ address });
      assert.equal(invite?.sentTs, null);
    });
  });
}
