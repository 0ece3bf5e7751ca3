// store-invite's refusals (behaviour §1.18), each shown to win over the ones Sydent checks after
// it, with block-lists written as multi-line config values; and in every case nothing is stored
// and no email is sent (Sydent stored the token before its last checks, Q20).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { LightMyRequestResponse } from "fastify";
import { engines } from "../../../test/deps.js";
import {
  ALICE_TOKEN,
  inviteBody,
  inviteServer,
  storeInviteV2,
  V1,
  V2,
  type InviteServer,
} from "../../../test/invites.js";

const expectError = (res: LightMyRequestResponse, status: number, body: Record<string, unknown>) => {
  assert.equal(res.statusCode, status, res.body);
  assert.deepEqual(res.json(), body);
};

for (const engine of engines()) {
  describe(`store-invite refusals on ${engine}`, () => {
    let server: InviteServer;
    before(async () => {
      server = await inviteServer(engine, {
        email: {
          // Multi-line values: one entry per line, blank lines ignored.
          "email.third_party_invite_room_blocklist": "!spam:example.org\n  !junk:example.org\n",
          "email.third_party_invite_homeserver_blocklist": "\n  bad.example.net\n  worse.example.net",
          "email.third_party_invite_keyword_blocklist": "casino\n  Straße\n  https://",
          "email.ratelimit_sender.burst": 3,
        },
      });
      await server.deps.store.associations.insertGlobal({
        medium: "email",
        address: "bound@example.org",
        mxid: "@bound:example.org",
        ts: 0,
        notBefore: 0,
        notAfter: Number.MAX_SAFE_INTEGER,
        originServer: "id.cairn.test",
        originId: 1,
        sgAssoc: "{}",
        lookupHash: null,
      });
    });
    after(async () => {
      // Whatever was refused, nothing was stored or sent.
      assert.deepEqual(await server.deps.store.invites.list({}), []);
      assert.equal(server.smtp.received.length, 0);
      await server.close();
    });

    const v1 = (body: Record<string, unknown>) =>
      server.app.inject({ method: "POST", url: `${V1}/store-invite`, payload: body });

    test("missing arguments, named in Sydent's order", async () => {
      expectError(await v1({ address: "a@b.c" }), 400, {
        errcode: "M_MISSING_PARAMS",
        error: "Missing parameters: medium,room_id,sender",
      });
    });

    test("v2: no token, then a sender other than the user (before any block-list)", async () => {
      const res = await server.app.inject({
        method: "POST",
        url: `${V2}/store-invite`,
        payload: inviteBody(),
      });
      expectError(res, 401, { errcode: "M_UNAUTHORIZED", error: "Unauthorized" });
      const other = inviteBody({ sender: "@mallory:bad.example.net", room_id: "!spam:example.org" });
      expectError(await storeInviteV2(server, other), 403, {
        errcode: "M_UNAUTHORIZED",
        error: "'sender' doesn't match",
      });
    });

    test("a sender without a server part", async () => {
      expectError(await v1(inviteBody({ sender: "mallory", room_id: "!spam:example.org" })), 400, {
        errcode: "M_INVALID_PARAM",
        error: "sender must be a Matrix user ID (@user:server)",
      });
    });

    test("blocked rooms and homeservers, on any line of the list, before the rate limit", async () => {
      const refused = { errcode: "M_UNAUTHORIZED", error: "Invite not allowed" };
      for (const fields of [
        { room_id: "!spam:example.org" },
        { room_id: "!junk:example.org" },
        { sender: "@m:bad.example.net" },
        { sender: "@m:worse.example.net", medium: "msisdn" },
      ]) {
        for (let i = 0; i < 4; i++) expectError(await v1(inviteBody(fields)), 403, refused);
      }
    });

    test("the sender's email limit (shared with requestToken), before every later check", async () => {
      const sender = "@limited:example.org";
      for (let i = 0; i < 3; i++) {
        expectError(await v1(inviteBody({ sender, medium: "msisdn" })), 400, {
          errcode: "M_UNRECOGNIZED",
          error: "Didn't understand medium 'msisdn'",
        });
      }
      const res = await v1(inviteBody({ sender, address: "bound@example.org" }));
      assert.equal(res.statusCode, 429);
      assert.equal(res.json<{ errcode: string }>().errcode, "M_LIMIT_EXCEEDED");
      assert.equal(res.json<{ error: string }>().error, "Limit exceeded for this sender");
      // Other senders are not affected.
      assert.equal(
        (await v1(inviteBody({ sender: "@other:example.org", medium: "msisdn" }))).statusCode,
        400,
      );
    });

    test("a v2 user's email requestTokens and invitations share one count", async () => {
      for (let i = 0; i < 3; i++) {
        const res = await server.app.inject({
          method: "POST",
          url: `${V2}/validate/email/requestToken`,
          headers: { authorization: `Bearer ${ALICE_TOKEN}` },
          payload: {},
        });
        assert.equal(res.statusCode, 400, "counted, though refused for its arguments");
      }
      const res = await storeInviteV2(server, inviteBody());
      assert.equal(res.statusCode, 429, res.body);
      assert.equal(res.json<{ error: string }>().error, "Limit exceeded for this sender");
    });

    test("an address already bound, with its owner, before the medium check", async () => {
      for (const address of ["bound@example.org", "Bound@Example.ORG"]) {
        expectError(await v1(inviteBody({ address, sender: "@b1:example.org", room_name: "casino" })), 400, {
          errcode: "M_THREEPID_IN_USE",
          error: "Binding already known",
          mxid: "@bound:example.org",
        });
      }
    });

    test("a medium other than email, then the address length (1 to 500), then keywords", async () => {
      const sender = "@b2:example.org";
      expectError(await v1(inviteBody({ sender, medium: "msisdn", address: "" })), 400, {
        errcode: "M_UNRECOGNIZED",
        error: "Didn't understand medium 'msisdn'",
      });
      const tooLong = `${"a".repeat(489)}@example.org`;
      for (const address of ["", tooLong]) {
        expectError(await v1(inviteBody({ sender: "@b3:example.org", address, room_name: "casino" })), 400, {
          errcode: "M_INVALID_PARAM",
          error: "Invalid email provided",
        });
      }
    });

    test("keywords: case-folded, in any argument, except an http(s) web client location", async () => {
      const refused = { errcode: "M_UNAUTHORIZED", error: "Invite not allowed" };
      for (const [i, fields] of [
        { room_name: "Big CASINO night" },
        { sender_display_name: "STRASSE" },
        { "org.matrix.web_client_location": "https://casino.example.org" },
        { room_avatar_url: "see https://x", address: "not an address" },
      ].entries()) {
        expectError(await v1(inviteBody({ sender: `@k${i}:example.org`, ...fields })), 403, refused);
      }
      // `https://` is a keyword, but not when it starts the web client's address.
      const sender = "@k:example.org";
      expectError(
        await v1(
          inviteBody({
            sender,
            address: "no address",
            "org.matrix.web_client_location": "https://chat.example.org",
          }),
        ),
        400,
        { errcode: "M_INVALID_EMAIL", error: "Invalid email address" },
      );
    });

    test("addresses the mail system would refuse, or without an @", async () => {
      for (const [i, address] of [
        "Naughty Nigel <perfectly.valid@mail.address>",
        "not@an@email",
        "a",
      ].entries()) {
        expectError(await v1(inviteBody({ sender: `@c${i}:example.org`, address })), 400, {
          errcode: "M_INVALID_EMAIL",
          error: "Invalid email address",
        });
      }
    });
  });
}
