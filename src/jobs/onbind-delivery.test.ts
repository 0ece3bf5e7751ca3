// Onbind delivery against a real HTTPS homeserver on loopback, through the real federation client
// and a real store: the exact body, the tokens after delivery, several senders on one database, kick.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { cryptoRandom } from "../crypto/random.js";
import { verifySignedJson } from "../crypto/signed-json.js";
import { ONBIND_PATH } from "../domain/onbind.js";
import { engines, FIXTURE_NOW, TEST_SERVER_NAME } from "../../test/deps.js";
import {
  metric,
  noJitter,
  ONBIND_ADDRESS as ADDRESS,
  onbindHomeserver,
  queueBind as bind,
  sender,
  storeInvite,
} from "../../test/onbind.js";
import { MAX_RETRY_MS, retryDelayMs } from "./onbind-delivery.js";

test("retry delays double from 10 s to a cap of 1 h, less up to a fifth at random", () => {
  assert.deepEqual(
    [1, 2, 3, 9, 10, 50].map((n) => retryDelayMs(n, noJitter)),
    [10_000, 20_000, 40_000, 2_560_000, MAX_RETRY_MS, MAX_RETRY_MS],
  );
  const most = { ...cryptoRandom, int: (max: number) => max };
  const delay = retryDelayMs(1, most);
  assert.equal(delay, 8_000);
});

for (const engine of engines()) {
  describe(`onbind delivery (${engine})`, () => {
    test("the homeserver receives the exact signed body, invitations included; the tokens are then deleted", async () => {
      const hs = await onbindHomeserver({ up: true });
      const deps = await hs.deps(engine);
      try {
        await storeInvite(deps, "tokenA");
        await storeInvite(deps, "tokenB");
        const mxid = hs.mxid("invitee");
        const signed = await bind(deps, mxid);
        await sender(deps).runOnce();

        assert.equal(hs.received.length, 1);
        const [request] = hs.received;
        assert.ok(request);
        assert.equal(request.url, ONBIND_PATH);
        assert.equal(request.headers["content-type"], "application/json");
        assert.equal(request.headers.authorization, undefined);
        assert.equal(request.headers.host, hs.serverName);
        const body = JSON.parse(request.body) as Record<string, unknown>;
        assert.deepEqual(body, JSON.parse(JSON.stringify(signed)));
        const key = deps.serverKey.publicKey;
        assert.ok(verifySignedJson(body, TEST_SERVER_NAME, "ed25519:0", key).ok, "association signature");
        const invites = body.invites as Record<string, unknown>[];
        assert.deepEqual(
          invites.map((i) => [i.token, i.mxid, i.address, i.room_id]),
          [
            ["tokenA", mxid, ADDRESS, "!room-tokenA:other.example"],
            ["tokenB", mxid, ADDRESS, "!room-tokenB:other.example"],
          ],
        );
        for (const invite of invites) {
          const proof = invite.signed as Record<string, unknown>;
          assert.deepEqual({ mxid: proof.mxid, token: proof.token }, { mxid, token: invite.token });
          assert.ok(verifySignedJson(proof, TEST_SERVER_NAME, "ed25519:0", key).ok, "invite proof signature");
        }

        assert.equal(await deps.store.onbind.depth(), 0);
        assert.deepEqual(await deps.store.invites.list({ address: ADDRESS }), [], "delete_tokens_on_bind");
        assert.equal(await metric(deps, "cairn_onbind_deliveries_total", "delivered"), 1);
        assert.equal(await metric(deps, "cairn_onbind_queue_depth"), 0);
      } finally {
        await deps.cleanup();
        await hs.down();
      }
    });

    test("senders of several instances on one database send each notification once", async () => {
      const hs = await onbindHomeserver({ up: true });
      const deps = await hs.deps(engine);
      try {
        for (let i = 0; i < 30; i++) await bind(deps, hs.mxid(`user${i}`));
        await Promise.all([sender(deps).runOnce(), sender(deps).runOnce(), sender(deps).runOnce()]);
        const mxids = hs.received.map((r) => (JSON.parse(r.body) as { mxid: string }).mxid);
        assert.equal(mxids.length, 30);
        assert.equal(new Set(mxids).size, 30);
        assert.equal(await deps.store.onbind.depth(), 0);
      } finally {
        await deps.cleanup();
        await hs.down();
      }
    });
  });
}
describe("onbind delivery: settings and kick (sqlite)", () => {
  test("with delete_tokens_on_bind off, delivered invitations stay, marked sent", async () => {
    const hs = await onbindHomeserver({ up: true });
    const deps = await hs.deps("sqlite", { general: { delete_tokens_on_bind: "false" } });
    try {
      await storeInvite(deps, "tokenA");
      await bind(deps, hs.mxid("invitee"));
      await sender(deps).runOnce();
      assert.equal(hs.received.length, 1);
      const invites = await deps.store.invites.list({ address: ADDRESS });
      assert.deepEqual(
        invites.map((i) => [i.token, i.sentTs]),
        [["tokenA", Math.floor(FIXTURE_NOW / 1000)]],
      );
    } finally {
      await deps.cleanup();
      await hs.down();
    }
  });

  test("a kick after a bind sends at once", async () => {
    const hs = await onbindHomeserver({ up: true });
    const deps = await hs.deps();
    try {
      await bind(deps, hs.mxid("invitee"));
      deps.onbind.kick();
      for (let i = 0; i < 100 && hs.received.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      assert.equal(hs.received.length, 1);
    } finally {
      await deps.cleanup();
      await hs.down();
    }
  });
});
