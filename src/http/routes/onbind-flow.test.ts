// Third-party invitation to bind to homeserver, over HTTP: a homeserver stores an invitation for an
// address; the invitee validates and binds it; the bind answers with the invitation, and the
// invitee's homeserver (a real HTTPS server on loopback) receives the same signed body in
// /3pid/onbind. With delete_tokens_on_bind (the default) the token is then gone and sign-ed25519
// answers 404; without it the token still signs.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { bindingApp, emailSession, type BindingApp } from "../../../test/bindings.js";
import { engines, TEST_SERVER_NAME, type Engine, type IniSections } from "../../../test/deps.js";
import { V1 } from "../../../test/lookups.js";
import { onbindHomeserver, type OnbindHomeserver } from "../../../test/onbind.js";
import { verifySignedJson } from "../../crypto/signed-json.js";

const INVITER = "@alice:other.example";
const ROOM = "!tea:other.example";

async function withFlow(
  engine: Engine,
  conf: IniSections,
  fn: (b: BindingApp, hs: OnbindHomeserver) => Promise<void>,
): Promise<void> {
  const hs = await onbindHomeserver({ up: true });
  const b = await bindingApp(hs.depsOptions(engine, conf));
  try {
    await fn(b, hs);
  } finally {
    await b.close();
    await hs.down();
  }
}

const post = (b: BindingApp, url: string, payload: object) => b.app.inject({ method: "POST", url, payload });

/** store-invite for `address`; returns the token and the ephemeral private key from the email. */
async function invite(b: BindingApp, address: string) {
  const res = await post(b, `${V1}/store-invite`, {
    medium: "email",
    address,
    room_id: ROOM,
    sender: INVITER,
  });
  assert.equal(res.statusCode, 200, res.body);
  const vars = b.mailer.sent.at(-1)?.vars ?? {};
  assert.equal(vars.token, res.json().token);
  return { token: String(vars.token), privateKey: String(vars.ephemeral_private_key) };
}

function sign(b: BindingApp, token: string, privateKey: string, mxid: string) {
  return post(b, `${V1}/sign-ed25519`, { token, private_key: privateKey, mxid });
}

/** Validates `address` and binds it to `mxid` over HTTP; returns the bind's answer. */
async function bindAddress(b: BindingApp, address: string, mxid: string) {
  const sid = await emailSession(b, address, "secret-1");
  const res = await post(b, `${V1}/3pid/bind`, { sid, client_secret: "secret-1", mxid });
  assert.equal(res.statusCode, 200, res.body);
  return res.json<Record<string, unknown>>();
}

for (const engine of engines()) {
  describe(`invitation delivered on bind (${engine})`, () => {
    test("the homeserver receives the signed invitation; the token is then gone", async () => {
      await withFlow(engine, {}, async (b, hs) => {
        const mxid = hs.mxid("grace");
        const { token, privateKey } = await invite(b, "Grace@Example.org");
        assert.equal(
          (await sign(b, token, privateKey, mxid)).statusCode,
          200,
          "the token signs before the bind",
        );

        const answer = await bindAddress(b, "grace@example.org", mxid);
        await b.deps.onbindDelivery.runOnce();

        assert.equal(hs.received.length, 1);
        const body = JSON.parse(hs.received[0]?.body ?? "") as Record<string, unknown>;
        assert.deepEqual(body, answer, "the homeserver gets what the bind answered");
        const key = b.deps.serverKey.publicKey;
        assert.ok(verifySignedJson(body, TEST_SERVER_NAME, "ed25519:0", key).ok);
        assert.equal(body.mxid, mxid);
        assert.equal(body.address, "grace@example.org");
        const invites = body.invites as Record<string, unknown>[];
        assert.equal(invites.length, 1);
        const [delivered] = invites;
        assert.ok(delivered);
        const { signed, ...fields } = delivered;
        assert.deepEqual(fields, {
          medium: "email",
          address: "grace@example.org",
          room_id: ROOM,
          sender: INVITER,
          token,
          mxid,
        });
        const proof = signed as Record<string, unknown>;
        assert.deepEqual({ mxid: proof.mxid, token: proof.token }, { mxid, token });
        assert.ok(verifySignedJson(proof, TEST_SERVER_NAME, "ed25519:0", key).ok);

        const after = await sign(b, token, privateKey, mxid);
        assert.equal(after.statusCode, 404, after.body);
        assert.equal(after.json().errcode, "M_UNRECOGNIZED");
      });
    });
  });
}

describe("invitation delivered on bind, delete_tokens_on_bind = false", () => {
  test("the token still signs after delivery, and a second bind delivers nothing again", async () => {
    await withFlow("sqlite", { general: { delete_tokens_on_bind: "false" } }, async (b, hs) => {
      const mxid = hs.mxid("grace");
      const { token, privateKey } = await invite(b, "grace@example.org");
      await bindAddress(b, "grace@example.org", mxid);
      await b.deps.onbindDelivery.runOnce();
      assert.equal(hs.received.length, 1);
      assert.equal((await sign(b, token, privateKey, mxid)).statusCode, 200);

      const again = await bindAddress(b, "grace@example.org", mxid);
      assert.equal("invites" in again, false);
      await b.deps.onbindDelivery.runOnce();
      assert.equal(hs.received.length, 2);
      assert.equal("invites" in (JSON.parse(hs.received[1]?.body ?? "") as object), false);
    });
  });
});
