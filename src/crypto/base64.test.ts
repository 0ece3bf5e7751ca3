import assert from "node:assert/strict";
import { test } from "node:test";
import { golden } from "../../test/golden.js";
import { decodeBase64, encodeBase64, encodeBase64Url, isUnpaddedBase64 } from "./base64.js";

test("encoders emit no padding, standard and URL-safe alphabets", () => {
  const bytes = Buffer.from([0xfb, 0xff]);
  assert.equal(encodeBase64(bytes), "+/8");
  assert.equal(encodeBase64Url(bytes), "-_8");
  assert.equal(encodeBase64(Buffer.alloc(0)), "");
  assert.equal(
    encodeBase64(Buffer.from(golden.signing_key.seed_hex, "hex")),
    golden.signing_key.seed_base64_unpadded,
  );
});

test("encoders honour a Uint8Array view's offset and length", () => {
  const view = new Uint8Array([9, 0xfb, 0xff, 9]).subarray(1, 3);
  assert.equal(encodeBase64(view), "+/8");
  assert.equal(encodeBase64Url(view), "-_8");
});

// Expected values computed with Python 3.11 running unpaddedbase64's decode_base64.
const pythonDecodes: [string, string][] = [
  ["", ""],
  ["AA", "00"],
  ["AAA", "0000"],
  ["AA==", "00"],
  ["AAA=", "0000"],
  ["AA=", "00"],
  ["+/8", "fbff"],
  ["-_8", "fbff"],
  ["+_8", "fbff"],
  ["-/8=", "fbff"],
  ["AQ ID", "010203"],
  ["A Q I D", "010203"],
  ["AQ==BA", "01"],
  ["AQI=D", "0102"],
  ["A=AAA", "000000"],
  ["AB", "00"],
  ["AQIDBA", "01020304"],
  ["AQIDBA==", "01020304"],
  ["!!!!", ""],
  ["====", ""],
];

test("decoding is as lenient as Sydent's: padding optional, both alphabets, strays skipped", () => {
  for (const [input, hex] of pythonDecodes) {
    assert.equal(decodeBase64(input).toString("hex"), hex, JSON.stringify(input));
  }
});

test("decoding fails where Sydent's fails", () => {
  for (const input of ["A", "AAAAA"]) {
    assert.throws(() => decodeBase64(input), /one character more than a multiple of 4/, input);
  }
  // The stray characters count towards the padding Python appends, leaving a group incomplete.
  for (const input of ["AA A", "AQI.", "AQ\nIDBA"]) {
    assert.throws(() => decodeBase64(input), /incorrect padding/, JSON.stringify(input));
  }
  assert.throws(() => decodeBase64("AQIDé"), /ASCII/);
});

test("golden keys decode to their recorded bytes", () => {
  const key = golden.signing_key;
  assert.equal(decodeBase64(key.seed_base64_unpadded).toString("hex"), key.seed_hex);
  assert.equal(decodeBase64(key.public_key_base64_unpadded).toString("hex"), key.public_key_hex);
  const ephemeral = golden.sign_ed25519.ephemeral_key;
  assert.equal(decodeBase64(ephemeral.private_key_param_urlsafe_base64).toString("hex"), ephemeral.seed_hex);
});

test("isUnpaddedBase64 accepts only what the encoder of that alphabet would produce", () => {
  const publicKey = golden.signing_key.public_key_base64_unpadded;
  assert.equal(isUnpaddedBase64(publicKey, "standard"), true);
  assert.equal(isUnpaddedBase64(publicKey + "=", "standard"), false);
  assert.equal(isUnpaddedBase64(publicKey.replace("/", "_"), "standard"), false);
  assert.equal(isUnpaddedBase64("-_8", "url-safe"), true);
  assert.equal(isUnpaddedBase64("+/8", "url-safe"), false);
  assert.equal(isUnpaddedBase64("AB", "standard"), false, "stray low bits");
  assert.equal(isUnpaddedBase64("AAAAA", "standard"), false);
  assert.equal(isUnpaddedBase64("", "standard"), true);
});
