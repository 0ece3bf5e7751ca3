// The v2 lookup hash (MSC2134): base64url_nopad(sha256(UTF-8("<address> <medium> <pepper>"))).
// Sydent hashes the address as stored, i.e. already case-folded for email.

import { createHash } from "node:crypto";
import { utf8Bytes } from "./utf8.js";

/** 43 characters, URL-safe alphabet, unpadded. Throws a TypeError on a lone surrogate, as Python would. */
export function lookupHash(address: string, medium: string, pepper: string): string {
  return createHash("sha256")
    .update(utf8Bytes(`${address} ${medium} ${pepper}`))
    .digest("base64url");
}
