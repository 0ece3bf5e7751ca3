// Test-only copy of the MSC2134 lookup hash (the real one lives in src/crypto/ and is wired by the
// caller): base64url, unpadded, of SHA-256 over UTF-8 "<address> <medium> <pepper>".

import { createHash } from "node:crypto";

export function lookupHash(address: string, medium: string, pepper: string): string {
  return createHash("sha256").update(`${address} ${medium} ${pepper}`, "utf8").digest("base64url");
}
