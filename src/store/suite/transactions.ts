import assert from "node:assert/strict";
import { localBinding } from "./associations.js";
import type { StoreTest } from "./harness.js";
import { now } from "./harness.js";

const session = { sid: 1, medium: "email", address: "a@x", clientSecret: "s", token: "t", now };

export function transactionTests(t: StoreTest): void {
  t("a transaction commits all its writes and returns fn's value", async (store) => {
    const result = await store.transaction(async (tx) => {
      await tx.sessions.create(session);
      const row = await tx.associations.upsertLocal(localBinding("a@x", "@a:x"));
      // Reads inside see the transaction's own writes.
      assert.equal((await tx.associations.localAfter(null)).length, 1);
      return row.id;
    });
    assert.equal((await store.associations.localAfter(null))[0]?.id, result);
    assert.equal((await store.sessions.get(1))?.sid, 1);
  });

  t("a transaction that throws rolls every write back, nested calls included", async (store) => {
    await store.accounts.addAccount("@kept:x", now);
    const failure = store.transaction(async (tx) => {
      await tx.sessions.create(session);
      await tx.associations.upsertLocal(localBinding("a@x", "@a:x"));
      await tx.transaction(async (inner) => {
        await inner.accounts.addAccount("@gone:x", now);
        await inner.accounts.addToken("@gone:x", "tok");
      });
      await tx.hashing.setPepperAndRehash("pep", () => "h");
      throw new Error("abort");
    });
    await assert.rejects(failure, /abort/);
    assert.equal(await store.sessions.get(1), undefined);
    assert.deepEqual(await store.associations.localAfter(null), []);
    assert.equal(await store.accounts.accountForToken("tok"), undefined);
    assert.equal(await store.hashing.getPepper(), undefined);
    // The store is usable afterwards and earlier commits stand.
    await store.accounts.addToken("@kept:x", "k");
    assert.equal((await store.accounts.accountForToken("k"))?.userId, "@kept:x");
  });

  t("a failed SQL statement inside a transaction rolls back the earlier ones", async (store) => {
    await store.sessions.create({ ...session, sid: 5 });
    const failure = store.transaction(async (tx) => {
      await tx.associations.upsertLocal(localBinding("a@x", "@a:x"));
      await tx.sessions.create({ ...session, sid: 5 });
    });
    await assert.rejects(failure);
    assert.deepEqual(await store.associations.localAfter(null), []);
  });

  t("concurrent local writes get distinct, increasing ids", async (store) => {
    const addresses = Array.from({ length: 20 }, (_, i) => `c${i}@x`);
    const rows = await Promise.all(
      addresses.map((a) => store.associations.upsertLocal(localBinding(a, "@c:x"))),
    );
    assert.equal(new Set(rows.map((r) => r.id)).size, 20);
    const stored = await store.associations.localAfter(null);
    assert.deepEqual(
      stored.map((r) => r.id),
      rows.map((r) => r.id).sort((x, y) => x - y),
    );
  });

  t("lockLocal holds local writers back until the holding transaction ends", async (store) => {
    const order: string[] = [];
    let locked!: () => void;
    const lockTaken = new Promise<void>((resolve) => (locked = resolve));
    const holder = store.transaction(async (tx) => {
      await tx.associations.lockLocal();
      locked();
      await new Promise((resolve) => setTimeout(resolve, 100));
      order.push("holder done");
    });
    await lockTaken;
    await store.associations.upsertLocal(localBinding("w@x", "@w:x"));
    order.push("writer done");
    await holder;
    assert.deepEqual(order, ["holder done", "writer done"]);
  });
}
