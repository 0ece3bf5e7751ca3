import assert from "node:assert/strict";
import type { InviteValidity, NewInvite } from "../store.js";
import type { StoreTest } from "./harness.js";
import { now } from "./harness.js";

const grace = { medium: "email", address: "grace@x" };
const nowS = Math.floor(now / 1000);
const valid: InviteValidity = { now, legacyLifetimeMs: 1000 };

function invite(token: string, key: string, fields: Partial<NewInvite> = {}): NewInvite {
  return {
    ...grace,
    roomId: "!r:x",
    sender: "@alice:x",
    token,
    ephemeralPublicKey: key,
    receivedTs: nowS,
    expiresAt: now + 1000,
    ...fields,
  };
}

export function inviteTests(t: StoreTest): void {
  t("invites are pending until marked sent, then deleted per 3PID", async (store) => {
    await store.invites.add(invite("t1", "k1"));
    await store.invites.add(invite("t2", "k2", { roomId: "!s:x", sender: "@bob:x", receivedTs: nowS + 1 }));
    await store.invites.add(invite("t3", "k3", { address: "other@x" }));
    const pending = await store.invites.pending(grace, valid);
    assert.deepEqual(
      pending.map(({ id: _id, ...rest }) => rest),
      [
        { ...grace, roomId: "!r:x", sender: "@alice:x", token: "t1", receivedTs: nowS, sentTs: null },
        { ...grace, roomId: "!s:x", sender: "@bob:x", token: "t2", receivedTs: nowS + 1, sentTs: null },
      ],
    );
    await store.invites.markSent(grace, nowS + 5);
    assert.deepEqual(await store.invites.pending(grace, valid), []);
    assert.equal((await store.invites.pending({ medium: "email", address: "other@x" }, valid)).length, 1);
    // Delivered tokens still sign (sign-ed25519 works until the row is deleted).
    assert.equal(await store.invites.senderForToken("t2", valid), "@bob:x");
    assert.equal(await store.invites.deleteFor(grace), 2);
    assert.equal(await store.invites.senderForToken("t2", valid), undefined);
    assert.equal(await store.invites.senderForToken("t3", valid), "@alice:x");
  });

  t("ephemeral keys are checked (and counted) by exact value", async (store) => {
    await store.invites.add(invite("t1", "key-A"));
    assert.equal(await store.invites.checkEphemeralKey("key-A", valid), true);
    assert.equal(await store.invites.checkEphemeralKey("key-A", valid), true);
    assert.equal(await store.invites.checkEphemeralKey("key-a", valid), false);
  });

  t("an invite is stored with its key or not at all", async (store) => {
    await store.invites.add(invite("t1", "same-key"));
    await assert.rejects(store.invites.add(invite("t2", "same-key")));
    assert.equal(await store.invites.senderForToken("t2", valid), undefined);
    assert.equal((await store.invites.pending(grace, valid)).length, 1);
  });
}

export function accountTests(t: StoreTest): void {
  t("accounts are created once and reached through any of their tokens", async (store) => {
    await store.accounts.addAccount("@a:x", now);
    await store.accounts.addAccount("@a:x", now + 99);
    await store.accounts.addToken("@a:x", "tok1");
    await store.accounts.addToken("@a:x", "tok2");
    const account = { userId: "@a:x", createdTs: now, consentVersion: null };
    assert.deepEqual(await store.accounts.accountForToken("tok1"), account);
    assert.deepEqual(await store.accounts.accountForToken("tok2"), account);
    assert.equal(await store.accounts.accountForToken("nope"), undefined);
    assert.equal(await store.accounts.deleteToken("tok1"), true);
    assert.equal(await store.accounts.deleteToken("tok1"), false);
    assert.equal(await store.accounts.accountForToken("tok1"), undefined);
    assert.deepEqual(await store.accounts.accountForToken("tok2"), account);
    await assert.rejects(store.accounts.addToken("@b:x", "tok2"));
  });

  t("a token is found and deleted through any of the forms it may be stored in", async (store) => {
    await store.accounts.addAccount("@a:x", now);
    await store.accounts.addToken("@a:x", "hashed-form");
    await store.accounts.addAccount("@b:x", now);
    await store.accounts.addToken("@b:x", "clear-form");
    assert.equal((await store.accounts.accountForToken("hashed-form", "x"))?.userId, "@a:x");
    assert.equal((await store.accounts.accountForToken("y", "clear-form"))?.userId, "@b:x");
    assert.equal(await store.accounts.accountForToken("y", "z"), undefined);
    assert.equal(await store.accounts.accountForToken(), undefined);
    assert.equal(await store.accounts.deleteToken(), false);
    assert.equal(await store.accounts.deleteToken("y", "clear-form"), true);
    assert.equal(await store.accounts.accountForToken("clear-form"), undefined);
    assert.equal((await store.accounts.accountForToken("hashed-form"))?.userId, "@a:x");
  });

  t("accepted terms URLs accumulate without duplicates; consent is recorded", async (store) => {
    await store.accounts.addAccount("@a:x", now);
    await store.accounts.addToken("@a:x", "tok");
    assert.deepEqual(await store.accounts.acceptedTermsUrls("@a:x"), []);
    await store.accounts.addAcceptedTermsUrls("@a:x", ["https://t/en", "https://p/en", "https://t/en"]);
    await store.accounts.addAcceptedTermsUrls("@a:x", ["https://p/en", "https://p/fr"]);
    await store.accounts.addAcceptedTermsUrls("@a:x", []);
    await store.accounts.addAcceptedTermsUrls("@b:x", ["https://t/en"]);
    const urls = (await store.accounts.acceptedTermsUrls("@a:x")).sort();
    assert.deepEqual(urls, ["https://p/en", "https://p/fr", "https://t/en"]);
    await store.accounts.setConsentVersion("@a:x", "master_1_1");
    assert.equal((await store.accounts.accountForToken("tok"))?.consentVersion, "master_1_1");
  });
}
