// The lookups the real Sydent answered on the fixture databases, answered by the store's methods
// (the parts of the lookup semantics that live in the store: ASCII lower() matching, newest ts,
// validity window, hash matching).

import { test } from "node:test";
import {
  checkCurrentBulkLookups,
  checkCurrentHashedLookups,
  checkCurrentV1Lookups,
  checkUpgradedLookups,
  fixturePepper,
} from "../../test/fixture-lookups.js";
import { tempDatabase } from "../../test/sqlite-files.js";
import { openSqliteStore } from "./sqlite.js";
import type { Store } from "./store.js";
import { lookupHash } from "./testing/lookup-hash.js";

async function withFixture(folder: string, fn: (store: Store) => Promise<void>): Promise<void> {
  const file = tempDatabase(folder, "sydent.db");
  const store = await openSqliteStore(file.path);
  try {
    if ((await store.hashing.getPepper()) === undefined)
      await store.hashing.setPepperAndRehash(fixturePepper, lookupHash);
    await fn(store);
  } finally {
    await store.close();
    file.remove();
  }
}

test("current/: v1 lookups answer as Sydent did", async () => {
  await withFixture("current", checkCurrentV1Lookups);
});

test("current/: bulk and `none` lookups answer as Sydent did", async () => {
  await withFixture("current", checkCurrentBulkLookups);
});

test("current/: sha256 lookups answer as Sydent did", async () => {
  await withFixture("current", checkCurrentHashedLookups);
});

for (const version of ["v0", "v1", "v2", "v3", "v4", "v5"]) {
  test(`${version}/: after the upgrade, lookups answer as the upgraded Sydent did`, async () => {
    await withFixture(version, (store) => checkUpgradedLookups(store, version));
  });
}
