// GET /v2/account, POST /v2/account/logout and the bearer-token check, over HTTP on every engine.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { bearer, userToken } from "../../../test/accounts.js";
import { engines, testDeps, type TestDeps } from "../../../test/deps.js";
import { fixturePath } from "../../../test/fixtures.js";
import { buildApp } from "../../app.js";
import { hashedToken } from "../../domain/accounts.js";

const v2 = "/_matrix/identity/v2";

for (const engine of engines()) {
  describe(`accounts and tokens (${engine})`, () => {
    let deps: TestDeps;
    let app: ReturnType<typeof buildApp>;
    before(async () => {
      deps = await testDeps({ engine });
      app = buildApp(deps);
    });
    after(async () => {
      await app.close();
      await deps.cleanup();
    });

    const account = (headers: Record<string, string> = {}, query: Record<string, string> = {}) =>
      app.inject({ url: `${v2}/account`, headers, query });
    const logout = (headers: Record<string, string>, payload?: Record<string, string>) =>
      app.inject({ method: "POST", url: `${v2}/account/logout`, headers, payload });

    test("GET /account names the token's user; the header or the query string carries the token", async () => {
      const token = await userToken(deps, "@alice:example.org");
      const res = await account(bearer(token));
      assert.equal(res.statusCode, 200);
      assert.deepEqual(res.json(), { user_id: "@alice:example.org" });
      assert.deepEqual((await account({}, { access_token: token })).json(), {
        user_id: "@alice:example.org",
      });
    });

    test("a missing, unknown or malformed token is 401 M_UNAUTHORIZED", async () => {
      const token = await userToken(deps, "@bob:example.org");
      for (const headers of [
        {},
        bearer("x".repeat(64)),
        bearer(""),
        { authorization: `bearer ${token}` },
        { authorization: token },
      ]) {
        const res = await account(headers);
        assert.equal(res.statusCode, 401, JSON.stringify(headers));
        assert.deepEqual(res.json(), { errcode: "M_UNAUTHORIZED", error: "Unauthorized" });
      }
      // The header wins over the query string, as in Sydent.
      assert.equal((await account(bearer("wrong"), { access_token: token })).statusCode, 401);
    });

    test("new tokens are 64 characters of [0-9A-Za-z], stored only as a hash", async () => {
      const token = await userToken(deps, "@carol:example.org");
      assert.match(token, /^[0-9A-Za-z]{64}$/);
      assert.equal(
        await deps.store.accounts.accountForToken(token),
        undefined,
        "the clear token is not stored",
      );
      assert.equal(
        (await deps.store.accounts.accountForToken(hashedToken(token)))?.userId,
        "@carol:example.org",
      );
      assert.match(hashedToken(token), /^cairn-sha256:[A-Za-z0-9_-]{43}$/);
      // Someone holding a copy of the table cannot use the stored value as a token.
      assert.equal((await account(bearer(hashedToken(token)))).statusCode, 401);
    });

    test("tokens stored in clear (by Sydent) authenticate and log out", async () => {
      await deps.store.accounts.addAccount("@sydent:example.org", 1);
      const clear = "k7iuVtbwjMO8psiNf81T1ff9DPUhr0qSg1SdoI09fXdguk2zF0Qi2Z2f3fvxuyAi";
      await deps.store.accounts.addToken("@sydent:example.org", clear);
      assert.deepEqual((await account(bearer(clear))).json(), { user_id: "@sydent:example.org" });
      assert.equal((await logout(bearer(clear))).statusCode, 200);
      assert.equal(await deps.store.accounts.accountForToken(clear), undefined);
      assert.equal((await account(bearer(clear))).statusCode, 401);
    });

    test("logout forgets only that token; afterwards it is 401, and logging out again is M_UNKNOWN_TOKEN", async () => {
      const first = await userToken(deps, "@dave:example.org");
      const second = await userToken(deps, "@dave:example.org");
      const res = await logout(bearer(first));
      assert.equal(res.statusCode, 200);
      assert.deepEqual(res.json(), {});
      assert.deepEqual((await account(bearer(first))).json(), {
        errcode: "M_UNAUTHORIZED",
        error: "Unauthorized",
      });
      assert.equal((await account(bearer(second))).statusCode, 200);
      const again = await logout(bearer(first));
      assert.equal(again.statusCode, 401);
      assert.deepEqual(again.json(), { errcode: "M_UNKNOWN_TOKEN", error: "Unknown token" });
    });

    test("logout takes no body, an empty JSON object, or the token in the JSON body", async () => {
      assert.equal((await logout(bearer(await userToken(deps, "@erin:example.org")))).statusCode, 200);
      assert.equal((await logout(bearer(await userToken(deps, "@erin:example.org")), {})).statusCode, 200);
      const inBody = await userToken(deps, "@erin:example.org");
      assert.equal((await logout({}, { access_token: inBody })).statusCode, 200);
      assert.equal((await account(bearer(inBody))).statusCode, 401);
      const noToken = await logout({});
      assert.equal(noToken.statusCode, 401);
      assert.deepEqual(noToken.json(), { errcode: "M_UNAUTHORIZED", error: "Unauthorized" });
      const badJson = await app.inject({
        method: "POST",
        url: `${v2}/account/logout`,
        headers: { ...bearer(inBody), "content-type": "application/json" },
        payload: "{",
      });
      assert.equal(badJson.json().errcode, "M_BAD_JSON");
    });

    test("account and logout exist on v2 only", async () => {
      const token = await userToken(deps, "@frank:example.org");
      const v1 = "/_matrix/identity/api/v1";
      assert.equal((await app.inject({ url: `${v1}/account`, headers: bearer(token) })).statusCode, 404);
      assert.equal((await app.inject({ url: `${v2}/account/`, headers: bearer(token) })).statusCode, 404);
      const wrongMethod = await app.inject({
        method: "GET",
        url: `${v2}/account/logout`,
        headers: bearer(token),
      });
      assert.equal(wrongMethod.statusCode, 405);
    });
  });
}

describe("logout needs no consent to the terms", () => {
  test("an account that has not accepted the terms can still log out", async () => {
    // The gate itself is covered by the terms tests; here only that logout skips it.
    const deps = await testDeps({
      conf: { general: { "terms.path": fixturePath("current", "terms.yaml") } },
    });
    const app = buildApp(deps);
    try {
      const token = await userToken(deps, "@gated:example.org");
      assert.equal((await app.inject({ url: `${v2}/account`, headers: bearer(token) })).statusCode, 403);
      const res = await app.inject({ method: "POST", url: `${v2}/account/logout`, headers: bearer(token) });
      assert.equal(res.statusCode, 200);
      assert.equal((await app.inject({ url: `${v2}/account`, headers: bearer(token) })).statusCode, 401);
    } finally {
      await app.close();
      await deps.cleanup();
    }
  });
});
