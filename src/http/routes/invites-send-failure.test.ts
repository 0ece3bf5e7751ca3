// When the invitation email cannot be sent (the SMTP server is down, or the subject in the config
// cannot be formatted), store-invite answers 500 as Sydent does, and no part of the invitation
// stays stored: no token, no ephemeral key (Sydent kept both).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { engines } from "../../../test/deps.js";
import { inviteBody, inviteServer, storeInviteV2 } from "../../../test/invites.js";
import { freePort } from "../../../test/process.js";

const internal = { errcode: "M_UNKNOWN", error: "Internal Server Error" };

for (const engine of engines()) {
  describe(`a failed invitation email on ${engine}`, () => {
    test("an unreachable SMTP server: 500, nothing stored", async () => {
      const server = await inviteServer(engine, { email: { "email.smtpport": await freePort() } });
      try {
        const res = await storeInviteV2(server, inviteBody());
        assert.equal(res.statusCode, 500);
        assert.deepEqual(res.json(), internal);
        assert.deepEqual(await server.deps.store.invites.list({}), []);
        // No key row either: expiring everything finds no token or key to delete.
        const everything = { now: Number.MAX_SAFE_INTEGER, legacyLifetimeMs: 0 };
        assert.deepEqual(await server.deps.store.invites.deleteExpired(everything), { invites: 0, keys: 0 });
      } finally {
        await server.close();
      }
    });

    test("an email.invite.subject that cannot be formatted: 500 before anything is stored", async () => {
      const server = await inviteServer(engine, { email: { "email.invite.subject": "100% for %(sender)s" } });
      try {
        const res = await storeInviteV2(server, inviteBody());
        assert.equal(res.statusCode, 500);
        assert.deepEqual(res.json(), internal);
        assert.deepEqual(await server.deps.store.invites.list({}), []);
        assert.equal(server.smtp.received.length, 0);
      } finally {
        await server.close();
      }
    });
  });
}
