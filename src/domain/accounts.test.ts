import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, test } from "node:test";
import { randomFromBytes } from "../crypto/random.js";
import type { AccountStore } from "../store/store.js";
import { hashedToken, issueToken, storedForms } from "./accounts.js";

describe("access tokens", () => {
  test("the stored form is the prefixed, unpadded base64url SHA-256 of the token", () => {
    const expected = createHash("sha256").update("abc").digest("base64url");
    assert.equal(hashedToken("abc"), `cairn-sha256:${expected}`);
    assert.equal(hashedToken("abc"), "cairn-sha256:ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0");
  });

  test("a presented token is looked up hashed, then in clear unless it looks like a stored hash", () => {
    assert.deepEqual(storedForms("abc"), [hashedToken("abc"), "abc"]);
    const stored = hashedToken("abc");
    assert.deepEqual(storedForms(stored), [hashedToken(stored)]);
  });

  test("issuing creates the account if needed and stores only the hash of a 64-character token", async () => {
    const calls: string[] = [];
    const accounts = {
      addAccount: async (userId: string, ts: number) => void calls.push(`account ${userId} ${ts}`),
      addToken: async (userId: string, token: string) => void calls.push(`token ${userId} ${token}`),
    } as Partial<AccountStore> as AccountStore;
    // Bytes 0, 1, 2, ... pick the alphabet's characters in order.
    let next = 0;
    const random = randomFromBytes((n) => Buffer.from(Array.from({ length: n }, () => next++ % 62)));
    const token = await issueToken(accounts, random, "@a:x", 42);
    assert.equal(token, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ01");
    assert.deepEqual(calls, ["account @a:x 42", `token @a:x ${hashedToken(token)}`]);
  });
});
