// The lookups the real Sydent answered on the fixture databases, answered by the store's methods
// (the parts of the lookup semantics that live in the store: ASCII lower() matching, newest ts,
// validity window, hash matching).

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { fixturePath } from "../../test/fixtures.js";
import { tempDatabase } from "../../test/sqlite-files.js";
import { openSqliteStore } from "./sqlite.js";
import type { Store } from "./store.js";
import { lookupHash } from "./testing/lookup-hash.js";

/** After every binding in the fixtures (made around 1796414xxxxxx ms), long before any notAfter. */
const now = 1_796_500_000_000;

interface V1Lookup {
  medium: string;
  address: string;
  mxid: string | null;
  response: Record<string, unknown>;
}

interface CurrentFacts {
  expected_v1_lookups: Record<string, V1Lookup>;
  expected_v1_bulk_lookup: {
    request: { threepids: [string, string][] };
    response: { threepids: string[][] };
  };
  expected_v2_lookup_sha256: { request_hashes: string[]; response: { mappings: Record<string, string> } };
  expected_v2_lookup_none: { request_addresses: string[]; response: { mappings: Record<string, string> } };
}

interface UpgradeLookups {
  v1_lookup: V1Lookup[];
  v2_lookup_sha256?: { queried: Record<string, string>; found: Record<string, string> };
}

function readJson<T>(...parts: string[]): T {
  return JSON.parse(readFileSync(fixturePath(...parts), "utf8")) as T;
}

async function withFixture(folder: string, fn: (store: Store) => Promise<void>): Promise<void> {
  const file = tempDatabase(folder, "sydent.db");
  const store = await openSqliteStore(file.path);
  try {
    if ((await store.hashing.getPepper()) === undefined)
      await store.hashing.setPepperAndRehash("Cairn", lookupHash);
    await fn(store);
  } finally {
    await store.close();
    file.remove();
  }
}

async function checkV1Lookup(store: Store, expected: V1Lookup, label: string): Promise<void> {
  const found = await store.associations.lookup(expected, now);
  assert.equal(found?.mxid, expected.mxid ?? undefined, label);
  if (found === undefined) return;
  // The answer is the stored signed association (Sydent adds its own signature when missing).
  const { signatures: _s, ...signed } = JSON.parse(found.sgAssoc) as Record<string, unknown>;
  const { signatures: _r, ...answered } = expected.response;
  assert.deepEqual(signed, answered, label);
}

test("current/: v1 lookups answer as Sydent did", async () => {
  const facts = readJson<CurrentFacts>("current", "facts.json");
  await withFixture("current", async (store) => {
    for (const [label, expected] of Object.entries(facts.expected_v1_lookups)) {
      await checkV1Lookup(store, expected, label);
    }
  });
});

test("current/: bulk and `none` lookups answer as Sydent did", async () => {
  const facts = readJson<CurrentFacts>("current", "facts.json");
  await withFixture("current", async (store) => {
    const bulk = facts.expected_v1_bulk_lookup;
    const pairs = bulk.request.threepids.map(([medium, address]) => ({ medium, address }));
    const matches = await store.associations.bulkLookup(pairs, now);
    assert.deepEqual(
      matches.map((m) => [m.medium, m.address, m.mxid]),
      bulk.response.threepids,
    );

    const none = facts.expected_v2_lookup_none;
    const queried = none.request_addresses.map((entry) => {
      const [address = "", medium = ""] = entry.split(/\s+/);
      return { medium, address };
    });
    const mappings = Object.fromEntries(
      (await store.associations.bulkLookup(queried, now)).map((m) => [`${m.address} ${m.medium}`, m.mxid]),
    );
    assert.deepEqual(mappings, none.response.mappings);
  });
});

test("current/: sha256 lookups answer as Sydent did", async () => {
  const facts = readJson<CurrentFacts>("current", "facts.json");
  await withFixture("current", async (store) => {
    assert.equal(await store.hashing.getPepper(), "hCVRm");
    const sha = facts.expected_v2_lookup_sha256;
    const found = await store.associations.lookupHashes(sha.request_hashes, now);
    assert.deepEqual(Object.fromEntries(found), sha.response.mappings);
  });
});

for (const version of ["v0", "v1", "v2", "v3", "v4", "v5"]) {
  test(`${version}/: after the upgrade, lookups answer as the upgraded Sydent did`, async () => {
    const lookups = readJson<UpgradeLookups>(version, "after-upgrade", "lookups.json");
    await withFixture(version, async (store) => {
      for (const expected of lookups.v1_lookup) {
        await checkV1Lookup(store, expected, `${expected.medium} ${expected.address}`);
      }
      const sha = lookups.v2_lookup_sha256;
      if (sha === undefined) return;
      const found = await store.associations.lookupHashes(Object.keys(sha.queried), now);
      const byInput = Object.fromEntries([...found].map(([hash, mxid]) => [sha.queried[hash], mxid]));
      assert.deepEqual(byInput, sha.found);
    });
  });
}
