import assert from "node:assert/strict";
import { globalBinding } from "./associations.js";
import type { StoreTest } from "./harness.js";
import { now } from "./harness.js";

const email = (address: string) => ({ medium: "email", address });

export function lookupTests(t: StoreTest): void {
  t("lookup folds ASCII case only and picks the newest binding valid now", async (store) => {
    const a = store.associations;
    await a.insertGlobal(
      globalBinding({ address: "Bob@Example.com", mxid: "@bob:x", ts: now - 20, originId: 1 }),
    );
    await a.insertGlobal(
      globalBinding({ address: "bob@example.com", mxid: "@robert:x", ts: now - 10, originId: 2 }),
    );
    await a.insertGlobal(globalBinding({ address: "émile@x", mxid: "@emile:x", originId: 3 }));
    await a.insertGlobal(globalBinding({ address: "straße@x", mxid: "@s:x", originId: 4 }));
    for (const address of ["bob@example.com", "BOB@EXAMPLE.COM", "Bob@Example.com"]) {
      assert.equal((await a.lookup(email(address), now))?.mxid, "@robert:x", address);
    }
    assert.equal((await a.lookup(email("ÉMILE@X"), now))?.mxid, undefined);
    assert.equal((await a.lookup(email("émile@X"), now))?.mxid, "@emile:x");
    assert.equal((await a.lookup(email("STRASSE@x"), now))?.mxid, undefined);
    assert.equal((await a.lookup({ medium: "msisdn", address: "bob@example.com" }, now))?.mxid, undefined);
    assert.equal(await a.boundMxid(email("BOB@example.com"), now), "@robert:x");
    assert.equal(await a.boundMxid(email("nobody@x"), now), undefined);
  });

  t("a binding is valid strictly between notBefore and notAfter", async (store) => {
    const a = store.associations;
    await a.insertGlobal(globalBinding({ address: "a@x", notBefore: now, notAfter: now + 10 }));
    assert.equal(await a.boundMxid(email("a@x"), now), undefined);
    assert.equal(await a.boundMxid(email("a@x"), now + 1), "@a:x");
    assert.equal(await a.boundMxid(email("a@x"), now + 9), "@a:x");
    assert.equal(await a.boundMxid(email("a@x"), now + 10), undefined);
    assert.deepEqual(await a.bulkLookup([email("a@x")], now + 10), []);
  });

  t(
    "bulkLookup answers many pairs in one go: stored spelling, newest, ordered, no duplicates",
    async (store) => {
      const a = store.associations;
      await a.insertGlobal(globalBinding({ address: "bob@x", mxid: "@bob:x", ts: now - 20, originId: 1 }));
      await a.insertGlobal(globalBinding({ address: "bob@x", mxid: "@robert:x", ts: now - 10, originId: 2 }));
      await a.insertGlobal(globalBinding({ address: "Zed@x", mxid: "@zed:x", originId: 3 }));
      await a.insertGlobal(globalBinding({ address: "zed@x", mxid: "@zed2:x", originId: 4 }));
      await a.insertGlobal(globalBinding({ medium: "msisdn", address: "4477", mxid: "@p:x", originId: 5 }));
      await a.insertGlobal(globalBinding({ address: "old@x", notAfter: now - 1, originId: 6 }));
      const query = [
        { medium: "msisdn", address: "4477" },
        email("ZED@X"),
        email("BOB@x"),
        email("bob@x"),
        email("missing@x"),
        email("old@x"),
        { medium: "msisdn", address: "bob@x" },
      ];
      assert.deepEqual(await a.bulkLookup(query, now), [
        { medium: "email", address: "Zed@x", mxid: "@zed:x", ts: now },
        { medium: "email", address: "bob@x", mxid: "@robert:x", ts: now - 10 },
        { medium: "email", address: "zed@x", mxid: "@zed2:x", ts: now },
        { medium: "msisdn", address: "4477", mxid: "@p:x", ts: now },
      ]);
      assert.deepEqual(await a.bulkLookup([], now), []);
    },
  );

  t("bulkLookup handles thousands of pairs", async (store) => {
    await store.associations.insertGlobal(globalBinding({ address: "u1234@x", mxid: "@u:x" }));
    const query = Array.from({ length: 5000 }, (_, i) => email(`U${i}@X`));
    assert.deepEqual(await store.associations.bulkLookup(query, now), [
      { medium: "email", address: "u1234@x", mxid: "@u:x", ts: now },
    ]);
  });

  t("lookupHashes maps each hash to the newest valid binding, omitting misses", async (store) => {
    const a = store.associations;
    await a.insertGlobal(
      globalBinding({ address: "a@x", mxid: "@zed:x", ts: now - 20, lookupHash: "H1", originId: 1 }),
    );
    await a.insertGlobal(
      globalBinding({ address: "a@x", mxid: "@abe:x", ts: now - 10, lookupHash: "H1", originId: 2 }),
    );
    await a.insertGlobal(globalBinding({ address: "b@x", mxid: "@b:x", lookupHash: "H2", originId: 3 }));
    await a.insertGlobal(
      globalBinding({ address: "c@x", lookupHash: "H3", notBefore: now + 1, originId: 4 }),
    );
    await a.insertGlobal(globalBinding({ address: "d@x", lookupHash: null, originId: 5 }));
    const found = await a.lookupHashes(["H1", "H2", "H3", "h2", "missing", "H2"], now);
    assert.deepEqual([...found.entries()].sort(), [
      ["H1", "@abe:x"],
      ["H2", "@b:x"],
    ]);
    assert.equal((await a.lookupHashes([], now)).size, 0);
  });

  t("lookupHashes handles thousands of hashes", async (store) => {
    await store.associations.insertGlobal(globalBinding({ address: "a@x", lookupHash: "hash-4321" }));
    const hashes = Array.from({ length: 10000 }, (_, i) => `hash-${i}`);
    assert.deepEqual([...(await store.associations.lookupHashes(hashes, now))], [["hash-4321", "@a:x"]]);
  });
}
