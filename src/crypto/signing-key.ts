// Ed25519 keys the way Sydent holds them: a 32-byte seed (the config's `ed25519.signingkey`, or
// the ephemeral private key a client hands to sign-ed25519) and a key id `ed25519:<version>`.
// node:crypto only takes DER, so the raw seed and public key are wrapped in fixed PKCS#8 / SPKI
// prefixes (RFC 8410).

import { createPrivateKey, createPublicKey, sign, verify } from "node:crypto";
import type { KeyObject } from "node:crypto";
import { decodeBase64, encodeBase64 } from "./base64.js";
import type { Random } from "./random.js";
import { utf8Bytes } from "./utf8.js";

const PKCS8_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");
const SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");
const KEY_BYTES = 32;
const SIGNATURE_BYTES = 64;

// Encodings of the points of small order (the sign bit is ignored when comparing), including the
// non-canonical encodings p and p + 1 of 0 and 1. libsodium, which verifies for Sydent (PyNaCl),
// refuses them as a public key or as a signature's R; OpenSSL does not, so that e.g. an all-zero
// key with an all-zero signature "verifies" every message. We refuse them as libsodium does.
const SMALL_ORDER = [
  "0000000000000000000000000000000000000000000000000000000000000000",
  "0100000000000000000000000000000000000000000000000000000000000000",
  "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
  "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
  "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
  "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
  "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
].map((hex) => Buffer.from(hex, "hex"));

export interface SigningKey {
  /** `ed25519:<version>`: where signatures go in `signatures[server]`. */
  readonly keyId: string;
  readonly version: string;
  /** The raw 32-byte public key. */
  readonly publicKey: Buffer;
  /** Standard alphabet, unpadded: the `public_key` that `pubkey/ed25519:0` returns. */
  readonly publicKeyBase64: string;
  /** Signs the bytes (a string is signed as UTF-8); returns the signature, standard base64 unpadded. */
  sign(data: Buffer | string): string;
}

export function signingKeyFromSeed(seed: Uint8Array, version: string): SigningKey {
  if (seed.length !== KEY_BYTES) {
    throw new RangeError(`an ed25519 seed is ${KEY_BYTES} bytes, got ${seed.length}`);
  }
  const privateKey = createPrivateKey({
    key: Buffer.concat([PKCS8_PREFIX, seed]),
    format: "der",
    type: "pkcs8",
  });
  const spki = createPublicKey(privateKey).export({ format: "der", type: "spki" });
  const publicKey = Buffer.from(spki.subarray(SPKI_PREFIX.length));
  return {
    keyId: `ed25519:${version}`,
    version,
    publicKey,
    publicKeyBase64: encodeBase64(publicKey),
    sign: (data) => encodeBase64(sign(null, toBytes(data), privateKey)),
  };
}

/** A new random seed, for a first start without a configured key (as Sydent generates one). */
export function generateSeed(random: Random): Buffer {
  return random.bytes(KEY_BYTES);
}

/**
 * Checks an Ed25519 signature given in base64 (decoded leniently, as Sydent does). False for a
 * signature that does not decode or is not 64 bytes; throws only for a public key that is not 32
 * bytes, which is the caller's input to validate.
 */
export function verifyEd25519(publicKey: Uint8Array, data: Buffer | string, signatureB64: string): boolean {
  let signature: Buffer;
  try {
    signature = decodeBase64(signatureB64);
  } catch {
    return false;
  }
  return verifyEd25519Raw(publicKey, data, signature);
}

/** As verifyEd25519, with the signature already as bytes. */
export function verifyEd25519Raw(
  publicKey: Uint8Array,
  data: Buffer | string,
  signature: Uint8Array,
): boolean {
  const key = publicKeyObject(publicKey);
  if (signature.length !== SIGNATURE_BYTES) return false;
  if (hasSmallOrder(signature.subarray(0, KEY_BYTES))) return false;
  if (hasSmallOrder(publicKey) || !isCanonicalPoint(publicKey)) return false;
  return verify(null, toBytes(data), key, signature);
}

function hasSmallOrder(point: Uint8Array): boolean {
  return SMALL_ORDER.some(
    (bad) =>
      bad.compare(point, 0, KEY_BYTES - 1, 0, KEY_BYTES - 1) === 0 && ((point[31] ?? 0) & 0x7f) === bad[31],
  );
}

/** False for a y coordinate encoded as p or more (only 0xed..0xff, 0xff * 30, 0x7f/0xff qualify). */
function isCanonicalPoint(point: Uint8Array): boolean {
  if (((point[31] ?? 0) & 0x7f) !== 0x7f || (point[0] ?? 0) < 0xed) return true;
  return point.subarray(1, 31).some((byte) => byte !== 0xff);
}

function publicKeyObject(publicKey: Uint8Array): KeyObject {
  if (publicKey.length !== KEY_BYTES) {
    throw new RangeError(`an ed25519 public key is ${KEY_BYTES} bytes, got ${publicKey.length}`);
  }
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: "der", type: "spki" });
}

const toBytes = (data: Buffer | string): Buffer => (typeof data === "string" ? utf8Bytes(data) : data);
