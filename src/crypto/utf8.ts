// UTF-8 encoding that refuses what Python refuses. Node's Buffer.from() silently turns a lone
// surrogate (possible in a JS string parsed from JSON "\ud800") into U+FFFD, so hashing or signing
// it would quietly succeed on bytes Sydent never produces; Python's str.encode() raises instead.

const LONE_SURROGATE = /\p{Cs}/u;

export function hasLoneSurrogate(text: string): boolean {
  return LONE_SURROGATE.test(text);
}

/** The UTF-8 bytes of `text`; throws a TypeError if it holds a lone surrogate. */
export function utf8Bytes(text: string): Buffer {
  if (hasLoneSurrogate(text)) {
    throw new TypeError("string holds a lone surrogate, which has no UTF-8 encoding");
  }
  return Buffer.from(text, "utf8");
}
