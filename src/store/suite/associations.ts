import assert from "node:assert/strict";
import type { NewGlobalAssociation, NewLocalAssociation } from "../store.js";
import type { StoreTest } from "./harness.js";
import { now } from "./harness.js";

export function localBinding(address: string, mxid: string, ts = now): NewLocalAssociation {
  return {
    medium: "email",
    address,
    mxid,
    ts,
    notBefore: ts,
    notAfter: ts + 1000,
    lookupHash: `h:${address}`,
  };
}

export function globalBinding(
  fields: Partial<NewGlobalAssociation> & { address: string },
): NewGlobalAssociation {
  return {
    medium: "email",
    mxid: "@a:x",
    ts: now,
    notBefore: now - 1000,
    notAfter: now + 1000,
    originServer: "is.example",
    originId: 1,
    sgAssoc: "{}",
    lookupHash: null,
    ...fields,
  };
}

export function associationTests(t: StoreTest): void {
  t("upsertLocal replaces the 3PID's row with a new, higher id; ids are never reused", async (store) => {
    const a = await store.associations.upsertLocal(localBinding("a@x", "@a:x"));
    const b = await store.associations.upsertLocal(localBinding("b@x", "@b:x"));
    assert.deepEqual(a, { id: a.id, ...localBinding("a@x", "@a:x") });
    assert.ok(b.id > a.id);
    // Replacing the row holding the highest id must not hand that id out again (AUTOINCREMENT).
    const b2 = await store.associations.upsertLocal(localBinding("b@x", "@robert:x", now + 1));
    assert.ok(b2.id > b.id);
    const rows = await store.associations.localAfter(null);
    assert.deepEqual(
      rows.map((r) => [r.id, r.address, r.mxid]),
      [
        [a.id, "a@x", "@a:x"],
        [b2.id, "b@x", "@robert:x"],
      ],
    );
  });

  t("tombstoneLocal replaces a bound 3PID with a null row, and only when the mxid matches", async (store) => {
    const bound = await store.associations.upsertLocal(localBinding("a@x", "@a:x"));
    assert.equal(
      await store.associations.tombstoneLocal({ medium: "email", address: "a@x" }, "@b:x", now),
      undefined,
    );
    assert.equal(
      await store.associations.tombstoneLocal({ medium: "msisdn", address: "a@x" }, "@a:x", now),
      undefined,
    );
    assert.deepEqual(await store.associations.localAfter(null), [bound]);
    const tomb = await store.associations.tombstoneLocal(
      { medium: "email", address: "a@x" },
      "@a:x",
      now + 7,
    );
    assert.ok(tomb && tomb.id > bound.id);
    const expected = {
      medium: "email",
      address: "a@x",
      mxid: null,
      ts: now + 7,
      notBefore: null,
      notAfter: null,
    };
    assert.deepEqual(tomb, { id: tomb.id, ...expected, lookupHash: null });
    assert.deepEqual(await store.associations.localAfter(null), [tomb]);
    // Already unbound: nothing to do.
    assert.equal(
      await store.associations.tombstoneLocal({ medium: "email", address: "a@x" }, "@a:x", now),
      undefined,
    );
  });

  t("localAfter returns rows after an id in id order, limited when asked", async (store) => {
    const ids: number[] = [];
    for (const address of ["a@x", "b@x", "c@x", "d@x"]) {
      ids.push((await store.associations.upsertLocal(localBinding(address, "@m:x"))).id);
    }
    const [first, second, third, fourth] = ids;
    assert.deepEqual(
      (await store.associations.localAfter(null)).map((r) => r.id),
      ids,
    );
    assert.deepEqual(
      (await store.associations.localAfter(first ?? 0)).map((r) => r.id),
      [second, third, fourth],
    );
    assert.deepEqual(
      (await store.associations.localAfter(first ?? 0, 2)).map((r) => r.id),
      [second, third],
    );
    assert.deepEqual(await store.associations.localAfter(fourth ?? 0), []);
  });

  t("countLocalAfter counts the rows localAfter would return, tombstones included", async (store) => {
    assert.equal(await store.associations.countLocalAfter(null), 0);
    const a = await store.associations.upsertLocal(localBinding("a@x", "@a:x"));
    await store.associations.upsertLocal(localBinding("b@x", "@b:x"));
    await store.associations.tombstoneLocal({ medium: "email", address: "b@x" }, "@b:x", now);
    assert.equal(await store.associations.countLocalAfter(null), 2);
    assert.equal(await store.associations.countLocalAfter(a.id), 1);
    assert.equal(await store.associations.countLocalAfter(a.id + 100), 0);
  });

  t("insertGlobal ignores a second row with the same (originServer, originId)", async (store) => {
    assert.deepEqual(await store.associations.originIdStats("is.example"), { max: null, count: 0 });
    assert.equal(await store.associations.insertGlobal(globalBinding({ address: "a@x", originId: 3 })), true);
    const duplicate = globalBinding({ address: "other@x", mxid: "@other:x", originId: 3 });
    assert.equal(await store.associations.insertGlobal(duplicate), false);
    const row = globalBinding({ address: "b@x", originId: 2, lookupHash: "hb", sgAssoc: '{"k": 1}' });
    assert.equal(await store.associations.insertGlobal(row), true);
    assert.equal(
      await store.associations.insertGlobal(globalBinding({ address: "c@x", originServer: "peer" })),
      true,
    );
    assert.deepEqual(await store.associations.originIdStats("is.example"), { max: 3, count: 2 });
    assert.deepEqual(await store.associations.originIdStats("peer"), { max: 1, count: 1 });
    assert.equal(
      (await store.associations.lookup({ medium: "email", address: "other@x" }, now))?.mxid,
      undefined,
    );
    const found = await store.associations.lookup({ medium: "email", address: "b@x" }, now);
    assert.deepEqual(found, { id: found?.id, ...row });
  });

  t("deleteGlobal removes every origin's rows for exactly that medium and address", async (store) => {
    await store.associations.insertGlobal(globalBinding({ address: "a@x", originId: 1 }));
    await store.associations.insertGlobal(
      globalBinding({ address: "a@x", originServer: "peer", originId: 1 }),
    );
    await store.associations.insertGlobal(globalBinding({ address: "A@x", originId: 2 }));
    await store.associations.insertGlobal(globalBinding({ address: "a@x", medium: "msisdn", originId: 3 }));
    assert.equal(await store.associations.deleteGlobal({ medium: "email", address: "a@x" }), 2);
    assert.equal(await store.associations.deleteGlobal({ medium: "email", address: "a@x" }), 0);
    assert.equal((await store.associations.lookup({ medium: "email", address: "a@x" }, now))?.address, "A@x");
    assert.equal((await store.associations.lookup({ medium: "msisdn", address: "a@x" }, now))?.originId, 3);
  });
}
