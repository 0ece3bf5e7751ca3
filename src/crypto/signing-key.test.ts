import assert from "node:assert/strict";
import { createHash, createPublicKey, verify } from "node:crypto";
import { test } from "node:test";
import { golden } from "../../test/golden.js";
import { decodeBase64, encodeBase64, encodeBase64Url, isUnpaddedBase64 } from "./base64.js";
import { randomFromBytes } from "./random.js";
import { generateSeed, signingKeyFromSeed, verifyEd25519, verifyEd25519Raw } from "./signing-key.js";

const serverKey = signingKeyFromSeed(
  Buffer.from(golden.signing_key.seed_hex, "hex"),
  golden.signing_key.version,
);

test("the golden seed gives Sydent's public key and key id", () => {
  assert.equal(serverKey.keyId, golden.signing_key.key_id);
  assert.equal(serverKey.version, "0");
  assert.equal(serverKey.publicKey.toString("hex"), golden.signing_key.public_key_hex);
  assert.equal(serverKey.publicKeyBase64, golden.signing_key.public_key_base64_unpadded);
  assert.equal(signingKeyFromSeed(Buffer.alloc(32), "auto").keyId, "ed25519:auto");
});

test("pubkey responses carry the key in standard unpadded base64", () => {
  const body = golden.pubkey_responses["/_matrix/identity/v2/pubkey/ed25519:0"]?.body.utf8 ?? "";
  assert.deepEqual(JSON.parse(body), { public_key: serverKey.publicKeyBase64 });
});

test("signatures over the golden canonical bytes are Sydent's, byte for byte", () => {
  for (const item of golden.signed_associations.items) {
    const signature = serverKey.sign(Buffer.from(item.canonical_json_signed.hex, "hex"));
    assert.equal(signature, item.signature);
    assert.equal(serverKey.sign(item.canonical_json_signed.utf8), signature, "a string is signed as UTF-8");
    assert.equal(signature.length, 86);
    assert.ok(isUnpaddedBase64(signature, "standard"));
  }
});

test("the recorded homeserver and ephemeral seeds give their recorded public keys", () => {
  const hs = golden.x_matrix.homeserver;
  assert.equal(
    signingKeyFromSeed(Buffer.from(hs.seed_hex, "hex"), "hs1").publicKeyBase64,
    hs.public_key_base64_unpadded,
  );
  const ephemeral = golden.sign_ed25519.ephemeral_key;
  const key = signingKeyFromSeed(decodeBase64(ephemeral.private_key_param_urlsafe_base64), "0");
  assert.equal(encodeBase64Url(key.publicKey), ephemeral.public_key_urlsafe_base64);
});

test("verifyEd25519 accepts a good signature in either alphabet and refuses anything else", () => {
  const item = golden.signed_associations.items[0];
  assert.ok(item);
  const data = Buffer.from(item.canonical_json_signed.hex, "hex");
  const key = serverKey.publicKey;
  assert.equal(verifyEd25519(key, data, item.signature), true);
  assert.equal(verifyEd25519(key, item.canonical_json_signed.utf8, item.signature), true);
  assert.equal(verifyEd25519(key, data, encodeBase64Url(decodeBase64(item.signature))), true);
  assert.equal(verifyEd25519(key, data, `${item.signature}==`), true);
  assert.equal(verifyEd25519(key, Buffer.concat([data, Buffer.from(" ")]), item.signature), false);
  const tampered = decodeBase64(item.signature);
  tampered[10] = (tampered[10] ?? 0) ^ 1;
  assert.equal(verifyEd25519(key, data, encodeBase64(tampered)), false);
  assert.equal(verifyEd25519(key, data, item.signature.slice(0, 80)), false, "too short");
  assert.equal(verifyEd25519(key, data, "A"), false, "undecodable");
  const otherKey = signingKeyFromSeed(Buffer.alloc(32, 7), "0").publicKey;
  assert.equal(verifyEd25519(otherKey, data, item.signature), false);
  assert.equal(verifyEd25519Raw(key, data, decodeBase64(item.signature)), true);
});

test("keys and seeds of the wrong length are refused", () => {
  assert.throws(() => signingKeyFromSeed(Buffer.alloc(31), "0"), /seed is 32 bytes, got 31/);
  assert.throws(() => verifyEd25519(Buffer.alloc(33), "x", "AA"), /public key is 32 bytes, got 33/);
});

test("generateSeed takes 32 bytes from the injected randomness", () => {
  const requests: number[] = [];
  const random = randomFromBytes((n) => {
    requests.push(n);
    return Buffer.alloc(n, 0xab);
  });
  assert.deepEqual(generateSeed(random), Buffer.alloc(32, 0xab));
  assert.deepEqual(requests, [32]);
});

test("degenerate keys and signatures libsodium refuses are refused, though OpenSSL accepts them", () => {
  const zero = Buffer.alloc(32);
  assert.equal(verifyEd25519Raw(zero, "any message", Buffer.alloc(64)), false, "all-zero key and signature");
  const identity = Buffer.from("01".padEnd(64, "0"), "hex");
  assert.equal(verifyEd25519Raw(identity, "any message", Buffer.concat([identity, zero])), false);
  const nonCanonical = Buffer.from("f0".padEnd(62, "f") + "7f", "hex");
  assert.equal(verifyEd25519Raw(nonCanonical, "m", Buffer.alloc(64, 1)), false);

  // A real signature by the server key whose R is the identity point: valid for OpenSSL.
  const L = 2n ** 252n + 27742317777372353535851937790883648493n;
  const littleEndian = (bytes: Buffer): bigint => BigInt(`0x${Buffer.from(bytes).reverse().toString("hex")}`);
  const digest = createHash("sha512").update(Buffer.from(golden.signing_key.seed_hex, "hex")).digest();
  const clamped = Buffer.from(digest.subarray(0, 32));
  clamped[0] = (clamped[0] ?? 0) & 248;
  clamped[31] = ((clamped[31] ?? 0) & 127) | 64;
  const h =
    littleEndian(createHash("sha512").update(identity).update(serverKey.publicKey).update("m").digest()) % L;
  const s = Buffer.from(((h * littleEndian(clamped)) % L).toString(16).padStart(64, "0"), "hex").reverse();
  const signature = Buffer.concat([identity, s]);
  const spki = Buffer.concat([Buffer.from("302a300506032b6570032100", "hex"), serverKey.publicKey]);
  const openssl = createPublicKey({ key: spki, format: "der", type: "spki" });
  assert.equal(verify(null, Buffer.from("m"), openssl, signature), true, "OpenSSL accepts it");
  assert.equal(verifyEd25519Raw(serverKey.publicKey, "m", signature), false);
});
