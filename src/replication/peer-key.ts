// A peer's Ed25519 public key as operators store it in `peer_pubkeys.key`: Sydent reads hex (the
// 2014 form, with a warning) or base64 in either alphabet, padded or not (behaviour §8.1).
import { decodeBase64, encodeBase64 } from "../crypto/base64.js";

export const PEER_KEY_ALGORITHM = "ed25519";
const KEY_BYTES = 32;

export interface DecodedPeerKey {
  key: Buffer;
  /** The stored text was hex, which Sydent reads but asks operators to replace with base64. */
  hex: boolean;
}

/**
 * Decodes a stored peer key as Sydent does: text that is entirely hex digits in pairs is hex (in
 * Sydent, `int(key, 16)` then `unhexlify`; anything those reject falls through to base64), the rest
 * is read by the lenient base64 decoder. Throws an Error saying why when the result is not a
 * 32-byte key.
 */
export function decodePeerKey(text: string): DecodedPeerKey {
  const hex = text.length > 0 && text.length % 2 === 0 && /^[0-9a-fA-F]+$/.test(text);
  let key: Buffer;
  if (hex) {
    key = Buffer.from(text, "hex");
  } else {
    try {
      key = decodeBase64(text);
    } catch (err) {
      throw new Error(`not hex or base64: ${err instanceof Error ? err.message : String(err)}`, {
        cause: err,
      });
    }
  }
  if (key.length !== KEY_BYTES) {
    throw new Error(`an ed25519 public key is ${KEY_BYTES} bytes, this one is ${key.length}`);
  }
  return { key, hex };
}

/** The form `cairn peers add` stores: standard base64 without padding, as `pubkey/ed25519:0` serves it. */
export function normalisePeerKey(text: string): string {
  return encodeBase64(decodePeerKey(text.trim()).key);
}
