import assert from "node:assert/strict";
import { test } from "node:test";
import { golden } from "../../test/golden.js";
import { casefold } from "./casefold.js";
import { lookupHash } from "./lookup-hash.js";

test("the spec's example hashes", () => {
  assert.equal(
    lookupHash("alice@example.com", "email", "matrixrocks"),
    "4kenr7N9drpCJ4AfalmlGQVsOn3o2RHjkADUpXJWZUc",
  );
  assert.equal(
    lookupHash("bob@example.com", "email", "matrixrocks"),
    "LJwSazmv46n0hlMlsb_iYxI0_HXEqy_yj6Jm636cdT8",
  );
  assert.equal(
    lookupHash("18005552067", "msisdn", "matrixrocks"),
    "nlo35_T5fzSGZzJApqu8lgIudJvmOQtDaHtr-I4rU7I",
  );
});

test("every golden lookup hash, as given and as Sydent stores it after casefolding", () => {
  assert.equal(golden.lookup_hashes.items.length, 6);
  for (const item of golden.lookup_hashes.items) {
    assert.equal(`${item.address} ${item.medium} ${item.pepper}`, item.hashed_string.utf8);
    assert.equal(lookupHash(item.address, item.medium, item.pepper), item.lookup_hash, item.address);
    const stored = item.medium === "email" ? casefold(item.address) : item.address;
    assert.equal(stored, item.stored_address_after_normalise_address, item.address);
    assert.equal(
      lookupHash(stored, item.medium, item.pepper),
      item.lookup_hash_as_stored_by_addBinding,
      item.address,
    );
  }
});

test("hashes are 43 URL-safe characters, and a lone surrogate is refused as Python refuses it", () => {
  assert.match(lookupHash("a", "email", "p"), /^[A-Za-z0-9_-]{43}$/);
  assert.throws(() => lookupHash("x\ud800@example.com", "email", "p"), /lone surrogate/);
});
