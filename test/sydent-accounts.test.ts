// Accounts, tokens and consent written by the real Sydent (a copy of the fixture database, with the
// terms file it ran with) keep working under Cairn.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import Database from "better-sqlite3";
import { buildApp } from "../src/app.js";
import { bearer, userToken } from "./accounts.js";
import { testDeps, type TestDeps } from "./deps.js";
import { fixturePath, readFixtureJson } from "./fixtures.js";
import { tempDatabase, type TempFile } from "./sqlite-files.js";

interface FixtureAccount {
  token: string;
  consent_version: string | null;
  logged_out_token_not_in_db: string | null;
}
const accounts = (readFixtureJson("current", "facts.json") as { accounts: Record<string, FixtureAccount> })
  .accounts;
const fixtureAccount = (userId: string): FixtureAccount => {
  const account = accounts[userId];
  assert.ok(account, userId);
  return account;
};
const alice = fixtureAccount("@alice:example.org");
const bob = fixtureAccount("@bob:example.org");
const carol = fixtureAccount("@carol:example.org");
const v2 = "/_matrix/identity/v2";

describe("Sydent's accounts and tokens", () => {
  let db: TempFile;
  let deps: TestDeps;
  let app: ReturnType<typeof buildApp>;
  before(async () => {
    db = tempDatabase("current", "sydent.db");
    deps = await testDeps({
      conf: { db: { "db.file": db.path }, general: { "terms.path": fixturePath("current", "terms.yaml") } },
    });
    app = buildApp(deps);
  });
  after(async () => {
    await app.close();
    await deps.cleanup();
    db.remove();
  });

  const account = (token: string) => app.inject({ url: `${v2}/account`, headers: bearer(token) });

  test("alice and carol, who accepted the terms in Sydent, pass the gate", async () => {
    assert.equal(alice.consent_version, "master_1_1");
    assert.deepEqual((await account(alice.token)).json(), { user_id: "@alice:example.org" });
    assert.deepEqual((await account(carol.token)).json(), { user_id: "@carol:example.org" });
  });

  test("bob, who accepted one document only, is refused until he accepts the other", async () => {
    const res = await account(bob.token);
    assert.equal(res.statusCode, 403);
    assert.deepEqual(res.json(), { errcode: "M_TERMS_NOT_SIGNED", error: "Terms not signed" });
    // His earlier acceptance (privacy, English) counts: terms of service in French completes it.
    const accept = await app.inject({
      method: "POST",
      url: `${v2}/terms`,
      headers: bearer(bob.token),
      payload: { user_accepts: ["https://example.org/somewhere/terms-2.0-fr.html"] },
    });
    assert.equal(accept.statusCode, 200);
    assert.equal((await account(bob.token)).statusCode, 200);
  });

  test("carol's token that she logged out of in Sydent is refused", async () => {
    assert.ok(carol.logged_out_token_not_in_db);
    const res = await account(carol.logged_out_token_not_in_db);
    assert.equal(res.statusCode, 401);
    assert.deepEqual(res.json(), { errcode: "M_UNAUTHORIZED", error: "Unauthorized" });
  });

  test("a token Cairn issues is stored hashed next to Sydent's clear ones; logout removes the right row", async () => {
    const token = await userToken(deps, "@alice:example.org");
    assert.equal((await account(token)).statusCode, 200, "the account keeps its consent");
    const file = new Database(db.path, { readonly: true });
    try {
      const rows = file.prepare("SELECT token FROM tokens WHERE user_id = ?").all("@alice:example.org") as {
        token: string;
      }[];
      assert.equal(rows.length, 2);
      assert.ok(rows.some((r) => r.token === alice.token));
      assert.ok(rows.some((r) => r.token.startsWith("cairn-sha256:")));
      assert.ok(!rows.some((r) => r.token === token));
    } finally {
      file.close();
    }
    assert.equal(
      (await app.inject({ method: "POST", url: `${v2}/account/logout`, headers: bearer(alice.token) }))
        .statusCode,
      200,
    );
    assert.equal((await account(alice.token)).statusCode, 401);
    assert.equal((await account(token)).statusCode, 200);
  });
});
