// The lookups the real Sydent answered on the fixture databases (current/facts.json and each
// v<N>/after-upgrade/lookups.json), asked of a store: shared by the SQLite fixture tests and the
// import into PostgreSQL.

import assert from "node:assert/strict";
import type { Store } from "../src/store/store.js";
import { readFixtureJson } from "./fixtures.js";

/** After every binding in the fixtures (made around 1796414xxxxxx ms), long before any notAfter. */
export const lookupNow = 1_796_500_000_000;

/** The pepper tests give a fixture database that has none (v0..v2); Sydent's own was random. */
export const fixturePepper = "Cairn";

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

async function checkV1Lookup(store: Store, expected: V1Lookup, label: string): Promise<void> {
  const found = await store.associations.lookup(expected, lookupNow);
  assert.equal(found?.mxid, expected.mxid ?? undefined, label);
  if (found === undefined) return;
  // The answer is the stored signed association (Sydent adds its own signature when missing).
  const { signatures: _s, ...signed } = JSON.parse(found.sgAssoc) as Record<string, unknown>;
  const { signatures: _r, ...answered } = expected.response;
  assert.deepEqual(signed, answered, label);
}

const currentFacts = () => readFixtureJson("current", "facts.json") as CurrentFacts;

export async function checkCurrentV1Lookups(store: Store): Promise<void> {
  for (const [label, expected] of Object.entries(currentFacts().expected_v1_lookups)) {
    await checkV1Lookup(store, expected, label);
  }
}

export async function checkCurrentBulkLookups(store: Store): Promise<void> {
  const facts = currentFacts();
  const bulk = facts.expected_v1_bulk_lookup;
  const pairs = bulk.request.threepids.map(([medium, address]) => ({ medium, address }));
  const matches = await store.associations.bulkLookup(pairs, lookupNow);
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
    (await store.associations.bulkLookup(queried, lookupNow)).map((m) => [
      `${m.address} ${m.medium}`,
      m.mxid,
    ]),
  );
  assert.deepEqual(mappings, none.response.mappings);
}

export async function checkCurrentHashedLookups(store: Store): Promise<void> {
  assert.equal(await store.hashing.getPepper(), "hCVRm");
  const sha = currentFacts().expected_v2_lookup_sha256;
  const found = await store.associations.lookupHashes(sha.request_hashes, lookupNow);
  assert.deepEqual(Object.fromEntries(found), sha.response.mappings);
}

/** `version` is v0..v5: the lookups the newest Sydent answered after upgrading that database. */
export async function checkUpgradedLookups(store: Store, version: string): Promise<void> {
  const lookups = readFixtureJson(version, "after-upgrade", "lookups.json") as UpgradeLookups;
  for (const expected of lookups.v1_lookup) {
    await checkV1Lookup(store, expected, `${expected.medium} ${expected.address}`);
  }
  const sha = lookups.v2_lookup_sha256;
  if (sha === undefined) return;
  const found = await store.associations.lookupHashes(Object.keys(sha.queried), lookupNow);
  const byInput = Object.fromEntries([...found].map(([hash, mxid]) => [sha.queried[hash], mxid]));
  assert.deepEqual(byInput, sha.found);
}
