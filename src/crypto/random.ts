// The randomness the app is given (never reached for globally), so tests can pass a scripted
// source. Every method is built on bytes(): int() and string() draw uniformly by rejection
// sampling, so no value is more likely than another whatever the range or alphabet size.

import { randomBytes } from "node:crypto";

export interface Random {
  /** `n` random bytes. */
  bytes(n: number): Buffer;
  /** A uniform integer in [0, maxInclusive]; maxInclusive at most MAX_RANDOM_INT. */
  int(maxInclusive: number): number;
  /** `length` characters, each drawn uniformly from `alphabet` (1 to 256 characters). */
  string(length: number, alphabet: string): string;
}

export const DIGITS = "0123456789";
export const ASCII_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
/** Sydent's token alphabet: digits then ASCII letters. */
export const ALPHANUMERIC = DIGITS + ASCII_LETTERS;

/** int() reads at most 6 bytes per draw. */
export const MAX_RANDOM_INT = 2 ** 48 - 1;

/** A Random drawing from `source`, which must return `n` fresh uniformly random bytes per call. */
export function randomFromBytes(source: (n: number) => Buffer): Random {
  return {
    bytes: source,
    int(maxInclusive) {
      if (!Number.isSafeInteger(maxInclusive) || maxInclusive < 0 || maxInclusive > MAX_RANDOM_INT) {
        throw new RangeError(`random int bound must be an integer in [0, 2^48 - 1], got ${maxInclusive}`);
      }
      let bits = 0;
      while (2 ** bits <= maxInclusive) bits++;
      const width = Math.ceil(bits / 8);
      if (width === 0) return 0;
      const modulus = 2 ** bits;
      for (;;) {
        const value = source(width).readUIntBE(0, width) % modulus;
        if (value <= maxInclusive) return value;
      }
    },
    string(length, alphabet) {
      const chars = Array.from(alphabet);
      if (chars.length < 1 || chars.length > 256) {
        throw new RangeError(`an alphabet has 1 to 256 characters, got ${chars.length}`);
      }
      const limit = 256 - (256 % chars.length);
      let out = "";
      let produced = 0;
      while (produced < length) {
        for (const byte of source(length - produced)) {
          if (byte >= limit) continue;
          out += chars[byte % chars.length];
          if (++produced === length) break;
        }
      }
      return out;
    },
  };
}

/** The production source: node:crypto's CSPRNG. */
export const cryptoRandom: Random = randomFromBytes(randomBytes);
