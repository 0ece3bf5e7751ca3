// POST /v2/account/register against a real HTTPS homeserver on loopback, on every engine: the
// OpenID check, the arguments, and every kind of reply the homeserver may give.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { bearer } from "../../../test/accounts.js";
import { engines, type TestDeps } from "../../../test/deps.js";
import {
  assertRegisterFails,
  openid,
  register,
  standardUserinfo,
  startTestHomeserver,
  USERINFO,
  type TestHomeserver,
} from "../../../test/homeserver.js";
import { sendJson } from "../../../test/https-server.js";
import { buildApp } from "../../app.js";
import { hashedToken } from "../../domain/accounts.js";

const v2 = "/_matrix/identity/v2";

let homeserver: TestHomeserver;
before(async () => {
  homeserver = await startTestHomeserver();
});
after(() => homeserver.close());

for (const engine of engines()) {
  describe(`registration (${engine})`, () => {
    let deps: TestDeps;
    let app: ReturnType<typeof buildApp>;
    before(async () => {
      deps = await homeserver.deps(engine);
      app = buildApp(deps);
    });
    after(async () => {
      await app.close();
      await deps.cleanup();
    });
    const fails = (body: object, status: number, errcode: string, error: string) =>
      assertRegisterFails(app, body, status, errcode, error);
    const refused = (body: object, error: string) => fails(body, 500, "M_UNKNOWN", error);

    test("an OpenID token vouched for by the homeserver gives an access token for that user", async () => {
      homeserver.answer(standardUserinfo);
      const asked = homeserver.server.requests.length;
      const res = await register(app, openid("openid-alice"));
      assert.equal(res.statusCode, 200);
      const body = res.json() as { access_token: string; token: string };
      assert.deepEqual(Object.keys(body), ["access_token", "token"]);
      assert.match(body.token, /^[0-9A-Za-z]{64}$/);
      assert.equal(body.access_token, body.token);
      const account = await app.inject({ url: `${v2}/account`, headers: bearer(body.token) });
      assert.deepEqual(account.json(), { user_id: "@alice:example.org" });
      const request = homeserver.server.requests.slice(asked).find((r) => r.url.startsWith(USERINFO));
      assert.equal(request?.method, "GET");
      assert.equal(request?.url, `${USERINFO}?access_token=openid-alice`);
      assert.equal(request?.headers.host, "example.org");
    });

    test("the server name is lower-cased; each registration adds a token; the account keeps its consent", async () => {
      homeserver.answer(standardUserinfo);
      const first = (await register(app, openid("openid-bob", "Example.ORG"))).json().token as string;
      await deps.store.accounts.setConsentVersion("@bob:example.org", "v9");
      const second = (await register(app, openid("openid-bob"))).json().token as string;
      assert.notEqual(first, second);
      for (const token of [first, second]) {
        assert.equal(await deps.store.accounts.accountForToken(token), undefined, "not stored in clear");
        const res = await app.inject({ url: `${v2}/account`, headers: bearer(token) });
        assert.deepEqual(res.json(), { user_id: "@bob:example.org" });
      }
      assert.equal((await deps.store.accounts.accountForToken(hashedToken(first)))?.consentVersion, "v9");
    });

    test("the OpenID token is percent-encoded as Python's quote() does", async () => {
      let seen = "";
      homeserver.answer((req, res) => {
        seen = req.url;
        sendJson(res, 200, { sub: "@carol:example.org" });
      });
      assert.equal((await register(app, openid("a b/c+é&=!*'()~"))).statusCode, 200);
      assert.equal(seen, `${USERINFO}?access_token=a%20b/c%2B%C3%A9%26%3D%21%2A%27%28%29~`);
    });

    test("arguments: both required, both strings, and a valid server name; nothing is asked otherwise", async () => {
      homeserver.answer(standardUserinfo);
      const asked = homeserver.server.requests.length;
      await fails({ access_token: "x" }, 400, "M_MISSING_PARAMS", "Missing parameters: matrix_server_name");
      await fails(
        { matrix_server_name: 5, access_token: "x" },
        400,
        "M_INVALID_PARAM",
        "Invalid parameter: matrix_server_name",
      );
      const invalid = "matrix_server_name must be a valid Matrix server name (IP address or hostname)";
      for (const name of [
        "exa_mple.org",
        "example.org:0",
        "example.org:08448",
        "-x.org",
        "",
        "[::1",
        "a b",
      ]) {
        await fails(openid("openid-x", name), 400, "M_INVALID_PARAM", invalid);
      }
      assert.equal(homeserver.server.requests.length, asked);
    });

    test("a request body over 5 KiB is refused with M_TOO_LARGE", async () => {
      const res = await register(app, openid("x".repeat(5 * 1024)));
      assert.equal(res.statusCode, 413);
      assert.equal(res.json().errcode, "M_TOO_LARGE");
    });

    test("a user ID on another server, a malformed one, or none is refused", async () => {
      const another = "The Matrix homeserver returned a MXID belonging to another homeserver";
      const invalid = "The Matrix homeserver returned an invalid MXID";
      const malformed = "The Matrix homeserver returned a malformed reply";
      const cases: [unknown, string][] = [
        [{ sub: "@mallory:evil.example.org" }, another],
        [{ sub: "@mallory:EXAMPLE.org" }, another],
        [{ sub: "@mallory:example.org:8448" }, another],
        [{ sub: "mallory" }, invalid],
        [{ sub: "mallory:example.org" }, invalid],
        [{ sub: "@:example.org" }, invalid],
        [{ sub: "@m:exa_mple.org" }, invalid],
        [{ sub: 5 }, malformed],
        [["@m:example.org"], malformed],
        [{ user: "@m:example.org" }, "The Matrix homeserver did not include 'sub' in its response"],
      ];
      for (const [reply, message] of cases) {
        homeserver.answer((_req, res) => sendJson(res, 200, reply));
        await refused(openid("openid-m"), message);
      }
      homeserver.answer((_req, res) => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end("<html>not json</html>");
      });
      await refused(openid("openid-m"), "The Matrix homeserver returned invalid JSON");
    });

    test("a refusal or failure of the homeserver is reported with its status, even if it names a user", async () => {
      homeserver.answer(standardUserinfo);
      await refused(openid("expired"), "The Matrix homeserver refused the OpenID token (HTTP 401)");
      homeserver.answer((_req, res) => sendJson(res, 403, { sub: "@m:example.org" }));
      await refused(openid("openid-m"), "The Matrix homeserver refused the OpenID token (HTTP 403)");
      homeserver.answer((_req, res) => sendJson(res, 502, { sub: "@m:example.org" }));
      await refused(openid("openid-m"), "The Matrix homeserver failed (HTTP 502)");
    });

    test("replies up to 5 KiB are read; a larger one is refused", async () => {
      const sized = (bytes: number) => {
        const base = JSON.stringify({ sub: "@big:example.org", pad: "" });
        return JSON.stringify({ sub: "@big:example.org", pad: "x".repeat(bytes - base.length) });
      };
      const answer = (bytes: number) =>
        homeserver.answer((_req, res) => {
          res.writeHead(200, { "content-type": "application/json" });
          res.end(sized(bytes));
        });
      answer(5 * 1024);
      assert.equal((await register(app, openid("openid-big"))).statusCode, 200);
      answer(5 * 1024 + 1);
      await refused(openid("openid-big"), "The Matrix homeserver returned a reply larger than 5120 bytes");
    });
  });
}
