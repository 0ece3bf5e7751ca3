// sign-ed25519 (Sydent's golden vector, every way clients call it, its refusals) and what becomes of
// an invitation: revoked or expired, its token no longer signs, its key is no longer valid, it is
// not delivered on bind, and the hourly job deletes it.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { pythonJsonDumps } from "../../crypto/canonical-json.js";
import { pendingInvites } from "../../domain/invites.js";
import { revokeInvite } from "../../domain/invites-admin.js";
import { inviteExpiryJob } from "../../jobs/invite-expiry.js";
import { engines, FIXTURE_NOW } from "../../../test/deps.js";
import { golden } from "../../../test/golden.js";
import {
  ALICE_TOKEN,
  inviteBody,
  inviteServer,
  storeInviteV2,
  V1,
  V2,
  type InviteServer,
} from "../../../test/invites.js";

const vector = golden.sign_ed25519;
const row = vector.invite_token_row;
const DAY = 86_400_000;
const expected = vector.response.body.utf8;
const query = new URLSearchParams(vector.request_body).toString();

for (const engine of engines()) {
  describe(`sign-ed25519 on ${engine}`, () => {
    let server: InviteServer;
    before(async () => {
      server = await inviteServer(engine, { general: { "server.name": "fixture.example.org" } });
      await server.deps.store.invites.add({
        medium: "email",
        address: row.address,
        roomId: row.room_id,
        sender: row.sender,
        token: row.token,
        ephemeralPublicKey: vector.ephemeral_key.public_key_urlsafe_base64,
        receivedTs: Math.floor(FIXTURE_NOW / 1000),
        expiresAt: FIXTURE_NOW + DAY,
      });
    });
    after(() => server.close());

    const sign = (url: string, payload?: string | object, headers: Record<string, string> = {}) =>
      server.app.inject({ method: "POST", url, headers, ...(payload === undefined ? {} : { payload }) });

    test("reproduces Sydent's signature, from a JSON body or the email link's query string", async () => {
      const fromBody = await sign(`${V1}/sign-ed25519`, vector.request_body);
      assert.equal(fromBody.statusCode, 200);
      assert.equal(pythonJsonDumps(fromBody.json()), expected);
      // matrix-js-sdk today: no body, no content type; Element before: a JSON `null`.
      assert.equal(pythonJsonDumps((await sign(`${V1}/sign-ed25519?${query}`)).json()), expected);
      const nullBody = await sign(`${V1}/sign-ed25519?${query}`, "null", {
        "content-type": "application/json",
      });
      assert.equal(pythonJsonDumps(nullBody.json()), expected);
      // The seed in the standard alphabet signs the same.
      const standard = vector.request_body.private_key.replaceAll("-", "+").replaceAll("_", "/");
      const res = await sign(`${V1}/sign-ed25519`, { ...vector.request_body, private_key: standard });
      assert.equal(pythonJsonDumps(res.json()), expected);
    });

    test("v2 needs a token and takes the arguments from the body", async () => {
      assert.equal((await sign(`${V2}/sign-ed25519`, vector.request_body)).statusCode, 401);
      const res = await sign(`${V2}/sign-ed25519`, vector.request_body, {
        authorization: `Bearer ${ALICE_TOKEN}`,
      });
      assert.equal(pythonJsonDumps(res.json()), expected);
    });

    test("refusals: missing arguments, an unknown token (first), a key that is not a seed", async () => {
      const refused = async (body: object, status: number, errcode: string, error: string) => {
        const res = await sign(`${V1}/sign-ed25519`, body);
        assert.equal(res.statusCode, status, res.body);
        assert.deepEqual(res.json(), { errcode, error });
      };
      await refused({}, 400, "M_MISSING_PARAMS", "Missing parameters: private_key,token,mxid");
      const unknown = { ...vector.request_body, token: "nope", private_key: "x" };
      await refused(unknown, 404, "M_UNRECOGNIZED", "Didn't recognize token");
      const badKey = "private_key must be an ed25519 seed in unpadded base64";
      for (const private_key of ["x", "AAAA", vector.request_body.private_key.slice(0, 40), "é"]) {
        await refused({ ...vector.request_body, private_key }, 400, "M_INVALID_PARAM", badKey);
      }
    });
  });

  describe(`an invitation's end on ${engine}`, () => {
    let server: InviteServer;
    before(async () => {
      server = await inviteServer(engine, { invites: { expiry_days: 7 } });
    });
    after(() => server.close());

    async function invite(address: string) {
      const res = await storeInviteV2(server, inviteBody({ address }));
      assert.equal(res.statusCode, 200, res.body);
      const { token, public_keys } = res.json<{ token: string; public_keys: { public_key: string }[] }>();
      const link = /private_key%3D([A-Za-z0-9_-]+)/.exec(server.smtp.received.at(-1)?.data.toString() ?? "");
      return { token, key: public_keys[1]?.public_key ?? "", privateKey: link?.[1] ?? "" };
    }
    const state = async (inv: { token: string; key: string; privateKey: string }, address: string) => ({
      signs: (
        await server.app.inject({
          method: "POST",
          url: `${V1}/sign-ed25519?token=${inv.token}&private_key=${inv.privateKey}&mxid=@g:example.org`,
        })
      ).statusCode,
      valid: (await server.app.inject({ url: `${V1}/pubkey/ephemeral/isvalid?public_key=${inv.key}` })).json<{
        valid: boolean;
      }>().valid,
      pending: (await pendingInvites(server.deps, { medium: "email", address })).length,
    });

    test("revoked: refused at once", async () => {
      const inv = await invite("revoked@example.org");
      assert.deepEqual(await state(inv, "revoked@example.org"), { signs: 200, valid: true, pending: 1 });
      await revokeInvite(server.deps, inv.token.slice(0, 12));
      assert.deepEqual(await state(inv, "revoked@example.org"), { signs: 404, valid: false, pending: 0 });
    });

    test("expired after [invites] expiry_days, then deleted by the job", async () => {
      const inv = await invite("expiring@example.org");
      server.deps.clock.advance(7 * DAY - 1);
      assert.deepEqual(await state(inv, "expiring@example.org"), { signs: 200, valid: true, pending: 1 });
      server.deps.clock.advance(1);
      assert.deepEqual(await state(inv, "expiring@example.org"), { signs: 404, valid: false, pending: 0 });
      assert.equal((await server.deps.store.invites.list({ address: "expiring@example.org" })).length, 1);
      await inviteExpiryJob(server.deps).run();
      assert.deepEqual(await server.deps.store.invites.list({}), []);
    });
  });
}
