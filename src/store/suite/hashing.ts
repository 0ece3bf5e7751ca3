import assert from "node:assert/strict";
import { lookupHash } from "../testing/lookup-hash.js";
import { globalBinding, localBinding } from "./associations.js";
import type { StoreTest } from "./harness.js";
import { now } from "./harness.js";

export function hashingTests(t: StoreTest): void {
  t("setPepperAndRehash stores the pepper and rehashes every row of both tables", async (store) => {
    assert.equal(await store.hashing.getPepper(), undefined);
    const a = store.associations;
    // More rows than one batch (500), plus a tombstone whose hash starts out null.
    await store.transaction(async (tx) => {
      for (let i = 0; i < 1203; i++) {
        await tx.associations.insertGlobal(globalBinding({ address: `g${i}@x`, originId: i }));
      }
    });
    await a.upsertLocal(localBinding("kept@x", "@k:x"));
    await a.upsertLocal(localBinding("gone@x", "@g:x"));
    await a.tombstoneLocal({ medium: "email", address: "gone@x" }, "@g:x", now);

    await store.hashing.setPepperAndRehash("p3pp3", lookupHash);
    assert.equal(await store.hashing.getPepper(), "p3pp3");
    for (const row of await a.localAfter(null)) {
      assert.equal(row.lookupHash, lookupHash(row.address, "email", "p3pp3"), row.address);
    }
    for (const i of [0, 499, 500, 1202]) {
      const row = await a.lookup({ medium: "email", address: `g${i}@x` }, now);
      assert.equal(row?.lookupHash, lookupHash(`g${i}@x`, "email", "p3pp3"));
    }
    const hashes = Array.from({ length: 1203 }, (_, i) => lookupHash(`g${i}@x`, "email", "p3pp3"));
    assert.equal((await a.lookupHashes(hashes, now)).size, 1203);

    await store.hashing.setPepperAndRehash("other", lookupHash);
    assert.equal(await store.hashing.getPepper(), "other");
    const again = await a.lookup({ medium: "email", address: "g7@x" }, now);
    assert.equal(again?.lookupHash, lookupHash("g7@x", "email", "other"));
  });

  t("a rehash that fails changes nothing, pepper included", async (store) => {
    await store.associations.upsertLocal(localBinding("l@x", "@l:x"));
    await store.associations.insertGlobal(globalBinding({ address: "g@x", originId: 1 }));
    await store.hashing.setPepperAndRehash("first", () => "h1");
    // The local table is rehashed first; the failure comes with the global one.
    const failing = (address: string) => {
      if (address === "g@x") throw new Error("boom");
      return "h2";
    };
    await assert.rejects(store.hashing.setPepperAndRehash("second", failing), /boom/);
    assert.equal(await store.hashing.getPepper(), "first");
    assert.equal((await store.associations.localAfter(null))[0]?.lookupHash, "h1");
    assert.equal(
      (await store.associations.lookup({ medium: "email", address: "g@x" }, now))?.lookupHash,
      "h1",
    );
  });

  t("rows with an empty address keep their hash", async (store) => {
    await store.associations.insertGlobal(
      globalBinding({ address: "", lookupHash: "untouched", originId: 1 }),
    );
    await store.associations.upsertLocal(localBinding("", "@e:x"));
    await store.hashing.setPepperAndRehash("pep", lookupHash);
    assert.equal((await store.associations.localAfter(null))[0]?.lookupHash, "h:");
    assert.equal((await store.associations.lookupHashes(["untouched"], now)).get("untouched"), "@a:x");
  });
}
