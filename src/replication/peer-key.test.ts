// Peer keys as operators store them: the forms Sydent reads, and what it refuses.
import assert from "node:assert/strict";
import { test } from "node:test";
import { decodePeerKey, normalisePeerKey } from "./peer-key.js";

// The fixture peer's key (current/sydent.db, peer_pubkeys).
const BASE64 = "MWNRkCAalvVtVtcsW+TTI+1kWuZPqavpfV3ZCYk5bUo";
const BYTES = Buffer.from(`${BASE64}=`, "base64");

test("base64 in either alphabet, padded or not, and 64 hex digits give the same key", () => {
  for (const text of [BASE64, `${BASE64}=`, BASE64.replaceAll("+", "-").replaceAll("/", "_")]) {
    assert.deepEqual(decodePeerKey(text), { key: BYTES, hex: false }, text);
  }
  assert.deepEqual(decodePeerKey(BYTES.toString("hex")), { key: BYTES, hex: true });
  assert.deepEqual(decodePeerKey(BYTES.toString("hex").toUpperCase()), { key: BYTES, hex: true });
});

test("text that is not whole hex pairs is read as base64, as Sydent falls through", () => {
  // 44 hex digits are hex (22 bytes, too short); 43 base64 characters that happen to be hex digits are base64.
  assert.throws(() => decodePeerKey("ab".repeat(22)), /is 32 bytes, this one is 22/);
  const hexLooking = "a".repeat(43);
  assert.deepEqual(decodePeerKey(hexLooking), { key: Buffer.from(`${hexLooking}=`, "base64"), hex: false });
});

test("anything that is not a 32-byte key is refused with the reason", () => {
  assert.throws(() => decodePeerKey(""), /this one is 0/);
  assert.throws(() => decodePeerKey("c2hvcnQ"), /this one is 5/);
  assert.throws(() => decodePeerKey("é"), /not hex or base64/);
});

test("cairn peers add stores the key as unpadded standard base64", () => {
  assert.equal(normalisePeerKey(` ${BYTES.toString("hex")} `), BASE64);
  assert.equal(normalisePeerKey(`${BASE64.replaceAll("+", "-").replaceAll("/", "_")}=`), BASE64);
});
