import assert from "node:assert/strict";
import type { StoreTest } from "./harness.js";
import { now } from "./harness.js";

const body = (n: number) => JSON.stringify({ mxid: `@u${n}:hs.example`, invites: [] });

export function onbindTests(t: StoreTest): void {
  t("a queued notification is due at once and keeps its body byte for byte", async (store) => {
    const text = '{"address":"élodie@example.org","b":[1,2.5,null],"ts":1700000000000}';
    const queued = await store.onbind.enqueue({ destination: "hs.example:8448", body: text, now });
    assert.deepEqual(
      { ...queued, id: 0 },
      {
        id: 0,
        destination: "hs.example:8448",
        body: text,
        createdTs: now,
        nextAttemptTs: now,
        attempts: 0,
        lastError: null,
      },
    );
    assert.equal(await store.onbind.depth(), 1);
    const [claimed] = await store.onbind.claimDue(now, 10, now + 60_000);
    assert.equal(claimed?.id, queued.id);
    assert.equal(claimed?.body, text);
    assert.equal(claimed?.nextAttemptTs, now + 60_000);
  });

  t(
    "claiming takes due rows only, oldest first, at most `limit`, and hides them until the claim lapses",
    async (store) => {
      const a = await store.onbind.enqueue({ destination: "a", body: body(1), now });
      const b = await store.onbind.enqueue({ destination: "b", body: body(2), now: now + 10 });
      const c = await store.onbind.enqueue({ destination: "c", body: body(3), now: now + 20 });
      await store.onbind.enqueue({ destination: "later", body: body(4), now: now + 1000 });
      const first = await store.onbind.claimDue(now + 20, 2, now + 5000);
      assert.deepEqual(
        first.map((n) => n.id),
        [a.id, b.id],
      );
      const second = await store.onbind.claimDue(now + 20, 10, now + 5000);
      assert.deepEqual(
        second.map((n) => n.id),
        [c.id],
        "claimed rows are not due again",
      );
      assert.deepEqual(await store.onbind.claimDue(now + 999, 10, now + 5000), []);
      const lapsed = await store.onbind.claimDue(now + 5000, 10, now + 9000);
      assert.deepEqual(lapsed.map((n) => n.destination).sort(), ["a", "b", "c", "later"]);
      assert.equal(await store.onbind.depth(), 4, "claiming removes nothing");
    },
  );

  t("claims racing for the same rows never share one", async (store) => {
    for (let i = 0; i < 20; i++) await store.onbind.enqueue({ destination: `d${i}`, body: body(i), now });
    const claims = await Promise.all(
      Array.from({ length: 6 }, () => store.onbind.claimDue(now, 5, now + 60_000)),
    );
    const ids = claims.flat().map((n) => n.id);
    assert.equal(new Set(ids).size, ids.length, "no row claimed twice");
    assert.equal(ids.length, 20);
  });

  t("a failed attempt is counted and rescheduled with its error", async (store) => {
    const queued = await store.onbind.enqueue({ destination: "hs", body: body(1), now });
    await store.onbind.claimDue(now, 10, now + 60_000);
    await store.onbind.reschedule(queued.id, now + 10_000, "HTTP 500");
    assert.deepEqual(await store.onbind.claimDue(now + 9_999, 10, now + 60_000), []);
    const [again] = await store.onbind.claimDue(now + 10_000, 10, now + 70_000);
    assert.equal(again?.attempts, 1);
    assert.equal(again?.lastError, "HTTP 500");
    await store.onbind.reschedule(queued.id, now + 30_000, "connect");
    const [third] = await store.onbind.claimDue(now + 30_000, 10, now + 90_000);
    assert.equal(third?.attempts, 2);
    assert.equal(third?.lastError, "connect");
  });

  t("delivered and given-up notifications are deleted; giving up returns the row", async (store) => {
    const a = await store.onbind.enqueue({ destination: "a", body: body(1), now });
    const b = await store.onbind.enqueue({ destination: "b", body: body(2), now });
    await store.onbind.reschedule(b.id, now, "HTTP 429");
    assert.equal(await store.onbind.markDelivered(a.id), true);
    assert.equal(await store.onbind.markDelivered(a.id), false, "already gone");
    const given = await store.onbind.giveUp(b.id, "HTTP 400");
    assert.equal(given?.destination, "b");
    assert.equal(given?.attempts, 2, "the last attempt counts");
    assert.equal(given?.lastError, "HTTP 400");
    assert.equal(await store.onbind.giveUp(b.id, "again"), undefined);
    assert.equal(await store.onbind.depth(), 0);
  });

  t("a notification enqueued in a transaction that rolls back is not queued", async (store) => {
    await assert.rejects(
      store.transaction(async (tx) => {
        await tx.onbind.enqueue({ destination: "hs", body: body(1), now });
        throw new Error("bind failed");
      }),
      /bind failed/,
    );
    assert.equal(await store.onbind.depth(), 0);
  });

  t("deleting delivered invitation tokens removes those and no others", async (store) => {
    const add = (token: string, address: string) =>
      store.invites.add({
        medium: "email",
        address,
        roomId: "!r:hs",
        sender: "@s:hs",
        token,
        ephemeralPublicKey: `key-${token}`,
        receivedTs: now / 1000,
        expiresAt: now + 1000,
      });
    await add("t1", "a@example.org");
    await add("t2", "a@example.org");
    await add("t3", "a@example.org");
    await add("t4", "b@example.org");
    assert.equal(await store.invites.deleteTokens([]), 0);
    assert.equal(await store.invites.deleteTokens(["t1", "t3", "t4", "gone"]), 3);
    const left = await store.invites.list({});
    assert.deepEqual(
      left.map((i) => i.token),
      ["t2"],
    );
  });
}
