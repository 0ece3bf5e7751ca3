import assert from "node:assert/strict";
import { test } from "node:test";
import { engines, testDeps } from "../../test/deps.js";
import { cryptoRandom, type Random } from "../crypto/random.js";
import {
  checkValidatedSession,
  getOrCreateSession,
  isValidClientSecret,
  MAX_SID,
  parseSid,
  SESSION_LIFETIME_MS,
  submitToken,
} from "./sessions.js";

test("client secrets: 1 to 255 of [0-9a-zA-Z.=_-], no trailing newline", () => {
  for (const ok of ["a", "A-z_0.9=", "s".repeat(255)]) assert.equal(isValidClientSecret(ok), true, ok);
  for (const bad of ["", "abc\n", "a b", "s".repeat(256), "é", 5, null]) {
    assert.equal(isValidClientSecret(bad), false, JSON.stringify(bad));
  }
});

test("sids: JSON integers and decimal strings; anything else names no session", () => {
  assert.equal(parseSid("123"), 123);
  assert.equal(parseSid(123), 123);
  assert.equal(parseSid(String(MAX_SID)), MAX_SID);
  for (const none of ["", "12a", " 1", "-1", "1.5", 1.5, -1, null, {}, [1], "9".repeat(20)]) {
    assert.equal(parseSid(none), null, JSON.stringify(none));
  }
});

/** Random whose int() gives `sids` first. */
function scripted(sids: number[]): Random {
  return { ...cryptoRandom, int: (max) => sids.shift() ?? cryptoRandom.int(max) };
}

for (const engine of engines()) {
  test(`${engine}: a sid already taken is drawn again instead of failing`, async () => {
    const deps = await testDeps({ engine });
    try {
      const random = scripted([7, 7, 7, 9]);
      const first = await getOrCreateSession({ ...deps, random }, "email", "a@x.org", "s1", () => "t1");
      const second = await getOrCreateSession({ ...deps, random }, "email", "b@x.org", "s1", () => "t2");
      assert.equal(first.sid, 7);
      assert.equal(second.sid, 9);
      assert.equal((await deps.store.sessions.getWithToken(7))?.token, "t1");
      assert.equal((await deps.store.sessions.getWithToken(9))?.address, "b@x.org");
    } finally {
      await deps.cleanup();
    }
  });

  test(`${engine}: token submission checks sid, secret, expiry, token in that order`, async () => {
    const deps = await testDeps({ engine });
    try {
      const session = await getOrCreateSession(deps, "msisdn", "447700900461", "s1", () => "012345");
      const sid = String(session.sid);
      assert.equal(await submitToken(deps, "424242", "s1", "012345"), "unknown_sid");
      assert.equal(await submitToken(deps, sid, "s2", "nope"), "wrong_secret");
      assert.equal(await submitToken(deps, sid, "s1", "12345"), "wrong_token");
      assert.equal(await submitToken(deps, sid, "s1", 12345), "wrong_token");
      assert.deepEqual(await checkValidatedSession(deps, sid, "s1"), { ok: false, reason: "not_validated" });
      deps.clock.advance(SESSION_LIFETIME_MS);
      assert.equal(await submitToken(deps, sid, "s1", "012345"), "validated", "valid up to 24 h exactly");
      assert.equal((await checkValidatedSession(deps, sid, "s1")).ok, true);
      deps.clock.advance(1);
      assert.equal(await submitToken(deps, sid, "s1", "nope"), "expired");
      assert.deepEqual(await checkValidatedSession(deps, sid, "s1"), { ok: false, reason: "expired" });
      assert.deepEqual(await checkValidatedSession(deps, sid, "s2"), { ok: false, reason: "no_session" });
    } finally {
      await deps.cleanup();
    }
  });
}
