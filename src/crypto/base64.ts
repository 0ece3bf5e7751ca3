// Base64 as Sydent uses it (python unpaddedbase64): encoders emit no padding; the decoder accepts
// padded or unpadded input in the standard or URL-safe alphabet, skips other characters, and
// fails exactly where Python's decoder fails (see decodeBase64).

const STANDARD = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const URL_SAFE = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** Value of each ASCII character in either alphabet, -1 for anything else. */
const VALUES = new Int8Array(128).fill(-1);
for (let i = 0; i < 64; i++) {
  VALUES[STANDARD.charCodeAt(i)] = i;
  VALUES[URL_SAFE.charCodeAt(i)] = i;
}
const PAD = 0x3d; // "="

/** Standard alphabet (`+/`), no padding: signatures, the server public key, signing key seeds. */
export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64").replace(/=+$/, "");
}

/** URL-safe alphabet (`-_`), no padding: lookup hashes, ephemeral invite keys. */
export function encodeBase64Url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64url");
}

/**
 * Decodes like Sydent's `decode_base64`: `=` padding is first appended as if the input were
 * unpadded (3 - (len + 3) % 4 of them, counting every character), then the text is read leniently
 * (both alphabets, even mixed; characters outside them skipped; a `=` after at least two data
 * characters of a group ends the input). Throws, as Python does, for non-ASCII input and when the
 * data characters leave an incomplete final group, which includes inputs whose skipped
 * characters upset the padding arithmetic.
 */
export function decodeBase64(text: string): Buffer {
  const padded = text + "=".repeat(3 - ((text.length + 3) % 4));
  const out = Buffer.alloc(Math.ceil((padded.length * 3) / 4));
  let length = 0;
  let quadPos = 0;
  let pads = 0;
  let left = 0;
  for (let i = 0; i < padded.length; i++) {
    const code = padded.charCodeAt(i);
    if (code > 0x7f) throw new Error("base64 input must be ASCII");
    if (code === PAD) {
      if (quadPos >= 2 && quadPos + ++pads >= 4) return out.subarray(0, length);
      continue;
    }
    const value = VALUES[code] ?? -1;
    if (value < 0) continue;
    pads = 0;
    if (quadPos === 0) {
      left = value;
    } else {
      out[length++] = ((left << (2 * quadPos)) | (value >> (6 - 2 * quadPos))) & 0xff;
      left = value;
    }
    quadPos = (quadPos + 1) % 4;
  }
  if (quadPos === 1) throw new Error("invalid base64: one character more than a multiple of 4");
  if (quadPos !== 0) throw new Error("invalid base64: incorrect padding");
  return out.subarray(0, length);
}

/**
 * True when `text` is exactly what the matching encoder produces for some bytes: that alphabet
 * only, no padding, and no stray bits in the last character.
 */
export function isUnpaddedBase64(text: string, alphabet: "standard" | "url-safe"): boolean {
  const pattern = alphabet === "standard" ? /^[A-Za-z0-9+/]*$/ : /^[A-Za-z0-9_-]*$/;
  if (!pattern.test(text) || text.length % 4 === 1) return false;
  const bytes = decodeBase64(text);
  return (alphabet === "standard" ? encodeBase64(bytes) : encodeBase64Url(bytes)) === text;
}
