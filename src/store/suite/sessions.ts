import assert from "node:assert/strict";
import type { StoreTest } from "./harness.js";
import { now } from "./harness.js";

const alice = { medium: "email", address: "Alice@Example.org", clientSecret: "secret-1" };

export function sessionTests(t: StoreTest): void {
  t("a created session is found by (medium, address, secret) and by sid, with its token", async (store) => {
    const created = await store.sessions.create({ ...alice, sid: 2 ** 31, token: "tok", now });
    const expected = {
      ...alice,
      sid: 2 ** 31,
      validated: false,
      mtime: now,
      token: "tok",
      sendAttemptNumber: -1,
    };
    assert.deepEqual(created, expected);
    assert.deepEqual(await store.sessions.find(alice.medium, alice.address, alice.clientSecret), expected);
    assert.deepEqual(await store.sessions.getWithToken(2 ** 31), expected);
    const { token: _t, sendAttemptNumber: _s, ...session } = expected;
    assert.deepEqual(await store.sessions.get(2 ** 31), session);
  });

  t("find matches medium, address (case-sensitive) and secret exactly", async (store) => {
    await store.sessions.create({ ...alice, sid: 1, token: "tok", now });
    assert.equal(await store.sessions.find("msisdn", alice.address, alice.clientSecret), undefined);
    assert.equal(await store.sessions.find("email", "alice@example.org", alice.clientSecret), undefined);
    assert.equal(await store.sessions.find("email", alice.address, "secret-2"), undefined);
    assert.equal(await store.sessions.get(2), undefined);
    assert.equal(await store.sessions.getWithToken(2), undefined);
  });

  t("touch, markValidated and setSendAttemptNumber update the session", async (store) => {
    await store.sessions.create({ ...alice, sid: 7, token: "tok", now });
    await store.sessions.touch(7, now + 5);
    await store.sessions.markValidated(7);
    await store.sessions.setSendAttemptNumber(7, 3);
    const session = await store.sessions.getWithToken(7);
    assert.equal(session?.mtime, now + 5);
    assert.equal(session?.validated, true);
    assert.equal(session?.sendAttemptNumber, 3);
  });

  t(
    "the send attempt lands on the session's own token row, not the row whose id is the sid",
    async (store) => {
      // Session 2's token row gets row id 1 and session 1's gets row id 2.
      await store.sessions.create({ ...alice, sid: 2, token: "for-2", now });
      await store.sessions.create({ ...alice, clientSecret: "other", sid: 1, token: "for-1", now });
      await store.sessions.setSendAttemptNumber(1, 4);
      assert.equal((await store.sessions.getWithToken(1))?.sendAttemptNumber, 4);
      assert.equal((await store.sessions.getWithToken(2))?.sendAttemptNumber, -1);
    },
  );

  t(
    "long secrets and addresses are stored whole (Sydent's varchar sizes were never enforced)",
    async (store) => {
      const long = { medium: "email", address: `${"a".repeat(490)}@x.org`, clientSecret: "s".repeat(255) };
      await store.sessions.create({ ...long, sid: 3, token: "t".repeat(32), now });
      assert.equal((await store.sessions.find(long.medium, long.address, long.clientSecret))?.sid, 3);
    },
  );

  t("a sid collision is an error", async (store) => {
    await store.sessions.create({ ...alice, sid: 9, token: "a", now });
    await assert.rejects(store.sessions.create({ ...alice, clientSecret: "x", sid: 9, token: "b", now }));
    assert.equal((await store.sessions.getWithToken(9))?.token, "a");
  });

  t("deleteOlderThan removes sessions with mtime < cutoff and their tokens only", async (store) => {
    await store.sessions.create({ ...alice, sid: 1, token: "old", now: now - 10 });
    await store.sessions.create({ ...alice, clientSecret: "b", sid: 2, token: "edge", now });
    await store.sessions.create({ ...alice, clientSecret: "c", sid: 3, token: "new", now: now + 10 });
    assert.equal(await store.sessions.deleteOlderThan(now), 1);
    assert.equal(await store.sessions.get(1), undefined);
    assert.equal((await store.sessions.getWithToken(2))?.token, "edge");
    assert.equal((await store.sessions.getWithToken(3))?.token, "new");
    // The orphaned token row is gone: a new session reusing sid 1 sees only its own token
    // (an older token row for sid 1 would come first).
    await store.sessions.create({ ...alice, clientSecret: "d", sid: 1, token: "fresh", now });
    assert.equal((await store.sessions.getWithToken(1))?.token, "fresh");
    assert.equal(await store.sessions.find(alice.medium, alice.address, alice.clientSecret), undefined);
    assert.equal(await store.sessions.deleteOlderThan(now), 0);
  });

  t("next links are remembered per session, once each, and go with their session", async (store) => {
    await store.sessions.create({ ...alice, sid: 1, token: "a", now: now - 10 });
    await store.sessions.create({ ...alice, clientSecret: "b", sid: 2, token: "b", now });
    const long = `https://example.org/${"x".repeat(10_000)}`;
    await store.sessions.addNextLink(1, "https://a.example/?sid=1");
    await store.sessions.addNextLink(1, "https://a.example/?sid=1");
    await store.sessions.addNextLink(2, long);
    assert.equal(await store.sessions.hasNextLink(1, "https://a.example/?sid=1"), true);
    assert.equal(await store.sessions.hasNextLink(1, "https://a.example/?sid=2"), false);
    assert.equal(await store.sessions.hasNextLink(2, "https://a.example/?sid=1"), false);
    assert.equal(await store.sessions.hasNextLink(2, long), true);
    await store.sessions.deleteOlderThan(now);
    assert.equal(await store.sessions.hasNextLink(1, "https://a.example/?sid=1"), false);
    assert.equal(await store.sessions.hasNextLink(2, long), true);
  });
}
