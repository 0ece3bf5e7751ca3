// The `[crypto] ed25519.signingkey` value: `ed25519 <version> <seed>`, the seed being the 32-byte
// Ed25519 seed in unpadded standard base64 (what Sydent writes). Read leniently: standard or URL-safe
// alphabet, with or without padding. Sydent's 2014 format, a bare 64-digit hex seed, is read too and
// reported as legacy so that the caller rewrites it (with version 0).

export interface SigningKeySeed {
  /** Key version: signatures use the key id `ed25519:<version>`. */
  version: string;
  /** The 32-byte Ed25519 seed. */
  seed: Buffer;
}

export type SigningKeyLineResult =
  { ok: true; key: SigningKeySeed; legacy: boolean } | { ok: false; error: string };

const SEED_BYTES = 32;
const VERSION = /^[A-Za-z0-9_]+$/;
const HEX_SEED = /^[0-9A-Fa-f]{64}$/;
const STANDARD = /^[A-Za-z0-9+/]*$/;
const URL_SAFE = /^[A-Za-z0-9_-]*$/;

const FORMAT = "expected 'ed25519 <version> <base64 seed>' (or a 64-digit hex seed)";

function decodeSeed(text: string): Buffer | null {
  const bare = text.replace(/={1,2}$/, "");
  if (bare.length % 4 === 1 || !(STANDARD.test(bare) || URL_SAFE.test(bare))) return null;
  // Padding, when present, must be exactly what the length calls for.
  if (bare !== text && text.length % 4 !== 0) return null;
  const bytes = Buffer.from(bare, STANDARD.test(bare) ? "base64" : "base64url");
  return bytes.length === SEED_BYTES ? bytes : null;
}

/** Parses a non-empty key line (an empty value means "no key yet", which is the caller's business). */
export function parseSigningKeyLine(value: string): SigningKeyLineResult {
  const fields = value.split(" ");
  if (fields.length === 1) {
    if (!HEX_SEED.test(value)) return { ok: false, error: `not a signing key: ${FORMAT}` };
    return { ok: true, key: { version: "0", seed: Buffer.from(value, "hex") }, legacy: true };
  }
  const [alg, version, seed] = fields;
  if (fields.length !== 3 || alg === undefined || version === undefined || seed === undefined) {
    return { ok: false, error: `not a signing key: ${FORMAT}, fields separated by single spaces` };
  }
  if (alg !== "ed25519")
    return { ok: false, error: `unsupported signing key algorithm '${alg}': only ed25519` };
  if (!VERSION.test(version)) {
    return { ok: false, error: `bad signing key version '${version}': letters, digits and _ only` };
  }
  const bytes = decodeSeed(seed);
  if (!bytes)
    return { ok: false, error: `the signing key seed must be base64 of exactly ${SEED_BYTES} bytes` };
  return { ok: true, key: { version, seed: bytes }, legacy: false };
}

/** The line Sydent writes: `ed25519 <version> <unpadded standard base64 seed>`. */
export function formatSigningKeyLine(key: SigningKeySeed): string {
  return `ed25519 ${key.version} ${key.seed.toString("base64").replace(/=+$/, "")}`;
}
