// Cairn's invitation lifecycle on top of Sydent's tables: each invitation linked to its ephemeral
// key (cairn_invite_keys) with an expiry, revocation, listing and the cleanup of expired ones.
import assert from "node:assert/strict";
import type { InviteValidity, NewInvite, Store } from "../store.js";
import type { StoreTest } from "./harness.js";
import { now } from "./harness.js";

const grace = { medium: "email", address: "grace@x" };
const at = (ms: number): InviteValidity => ({ now: ms, legacyLifetimeMs: 1000 });

function invite(token: string, key: string, fields: Partial<NewInvite> = {}): NewInvite {
  return {
    ...grace,
    roomId: "!r:x",
    sender: "@alice:x",
    token,
    ephemeralPublicKey: key,
    receivedTs: Math.floor(now / 1000),
    expiresAt: now + 1000,
    ...fields,
  };
}

async function state(store: Store, token: string, key: string, ms: number) {
  return {
    pending: (await store.invites.pending(grace, at(ms))).map((i) => i.token).includes(token),
    sender: await store.invites.senderForToken(token, at(ms)),
    key: await store.invites.checkEphemeralKey(key, at(ms)),
  };
}

export function inviteLifecycleTests(t: StoreTest): void {
  t("an invitation and its key are valid until the invitation expires", async (store) => {
    await store.invites.add(invite("t1", "k1"));
    assert.deepEqual(await state(store, "t1", "k1", now + 999), {
      pending: true,
      sender: "@alice:x",
      key: true,
    });
    assert.deepEqual(await state(store, "t1", "k1", now + 1000), {
      pending: false,
      sender: undefined,
      key: false,
    });
    // Only checks that found the key valid are counted.
    assert.equal((await store.invites.list({}))[0]?.keyChecks, 1);
  });

  t("a delivered invitation no longer signs once deleted, but its key stays valid", async (store) => {
    await store.invites.add(invite("t1", "k1"));
    await store.invites.markSent(grace, Math.floor(now / 1000));
    assert.deepEqual(await state(store, "t1", "k1", now), { pending: false, sender: "@alice:x", key: true });
    await store.invites.deleteFor(grace);
    assert.deepEqual(await state(store, "t1", "k1", now), { pending: false, sender: undefined, key: true });
  });

  t("revoking deletes the invitation and its key at once", async (store) => {
    await store.invites.add(invite("t1", "k1"));
    await store.invites.add(invite("t2", "k2"));
    assert.equal(await store.invites.revoke("t1"), 1);
    assert.deepEqual(await state(store, "t1", "k1", now), { pending: false, sender: undefined, key: false });
    assert.deepEqual(await state(store, "t2", "k2", now), { pending: true, sender: "@alice:x", key: true });
    assert.equal(await store.invites.revoke("t1"), 0);
    // The key is gone, not merely unlinked: a new invitation may not reuse it by accident.
    await store.invites.add(invite("t3", "k1"));
  });

  t("listing filters by address, room and exact token prefix", async (store) => {
    await store.invites.add(invite("abcDEF", "k1"));
    await store.invites.add(invite("abcdef", "k2", { roomId: "!s:x" }));
    await store.invites.add(invite("a%c", "k3", { address: "other@x", expiresAt: now + 5 }));
    const tokens = async (filter: Parameters<Store["invites"]["list"]>[0]) =>
      (await store.invites.list(filter)).map((i) => i.token);
    assert.deepEqual(await tokens({}), ["abcDEF", "abcdef", "a%c"]);
    assert.deepEqual(await tokens({ tokenPrefix: "abcD" }), ["abcDEF"]);
    assert.deepEqual(await tokens({ tokenPrefix: "a%" }), ["a%c"]);
    assert.deepEqual(await tokens({ tokenPrefix: "a_c" }), []);
    assert.deepEqual(await tokens({ roomId: "!s:x" }), ["abcdef"]);
    assert.deepEqual(await tokens({ address: "other@x" }), ["a%c"]);
    assert.deepEqual(await tokens({ address: "grace@x", roomId: "!r:x" }), ["abcDEF"]);
    const [listed] = await store.invites.list({ address: "other@x" });
    assert.deepEqual(
      { expiresAt: listed?.expiresAt, publicKey: listed?.publicKey, keyChecks: listed?.keyChecks },
      { expiresAt: now + 5, publicKey: "k3", keyChecks: 0 },
    );
  });

  t("expired invitations and their keys are deleted, the others kept", async (store) => {
    await store.invites.add(invite("t1", "k1", { expiresAt: now + 10 }));
    await store.invites.add(invite("t2", "k2", { expiresAt: now + 11 }));
    assert.deepEqual(await store.invites.deleteExpired(at(now + 9)), { invites: 0, keys: 0 });
    assert.deepEqual(await store.invites.deleteExpired(at(now + 10)), { invites: 1, keys: 1 });
    assert.deepEqual(
      (await store.invites.list({})).map((i) => i.token),
      ["t2"],
    );
    assert.equal(await store.invites.checkEphemeralKey("k2", at(now + 10)), true);
    // A delivered and deleted invitation's key goes when its link expires.
    await store.invites.deleteFor(grace);
    assert.deepEqual(await store.invites.deleteExpired(at(now + 11)), { invites: 0, keys: 1 });
    await store.invites.add(invite("t3", "k2"));
  });
}
