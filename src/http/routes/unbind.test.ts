// POST {v1,v2}/3pid/unbind with the session proof: the binding goes from every lookup path and the
// local row becomes a tombstone; `{}` (JSON) whether or not anything was bound; every error of
// behaviour §1.13 that does not involve a homeserver, with Sydent's hang and 500 fixed.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { bindV1, emailSession, withBindingApp, type BindingApp } from "../../../test/bindings.js";
import { engines } from "../../../test/deps.js";
import { lookupEverywhere, V1, V2 } from "../../../test/lookups.js";
import { SESSION_LIFETIME_MS } from "../../domain/sessions.js";

const withApp = (engine: "sqlite" | "postgres", fn: (b: BindingApp) => Promise<void>) =>
  withBindingApp({ engine }, fn);

const post = (b: BindingApp, url: string, payload: object | string) =>
  b.app.inject({ method: "POST", url, payload, headers: { "content-type": "application/json" } });

const nowhere = { v1: undefined, bulk: undefined, none: undefined, sha256: undefined };

async function bindSession(b: BindingApp, email: string, secret: string, mxid: string): Promise<string> {
  const sid = await emailSession(b, email, secret);
  await bindV1(b, sid, secret, mxid);
  b.deps.clock.advance(1);
  return sid;
}

for (const engine of engines()) {
  describe(`unbind by session (${engine})`, () => {
    test("the binding leaves every lookup; the local row becomes a tombstone; again is {}", async () => {
      await withApp(engine, async (b) => {
        const mxid = "@alice:example.org";
        // Typed with capitals: the session's address is compared in stored (folded) form.
        const sid = await bindSession(b, "Alice@Example.ORG", "s1", mxid);
        const threepid = { medium: "email", address: "alice@example.org" };
        for (const url of [`${V2}/3pid/unbind`, `${V1}/3pid/unbind`]) {
          const res = await post(b, url, { sid, client_secret: "s1", threepid, mxid });
          assert.equal(res.statusCode, 200, res.body);
          assert.equal(res.body, "{}");
          assert.match(String(res.headers["content-type"]), /^application\/json/);
        }
        b.deps.clock.advance(1);
        assert.deepEqual(await lookupEverywhere(b.app, b.deps.pepper, "email", "alice@example.org"), nowhere);
        const local = await b.deps.store.associations.localAfter(null);
        assert.equal(local.length, 1);
        assert.deepEqual(
          [local[0]?.address, local[0]?.mxid, local[0]?.notAfter],
          ["alice@example.org", null, null],
        );
      });
    });
  });
}

describe("unbind: the errors of behaviour §1.13 (session proof and arguments)", () => {
  test("another mxid than the bound one unbinds nothing and still answers {}", async () => {
    await withApp("sqlite", async (b) => {
      const sid = await bindSession(b, "bob@example.org", "s1", "@bob:example.org");
      const threepid = { medium: "email", address: "bob@example.org" };
      const res = await post(b, `${V1}/3pid/unbind`, { sid, client_secret: "s1", threepid, mxid: "@eve:x" });
      assert.deepEqual([res.statusCode, res.body], [200, "{}"]);
      const found = await lookupEverywhere(b.app, b.deps.pepper, "email", "bob@example.org");
      assert.equal(found.sha256, "@bob:example.org");
    });
  });

  test("every refusal with its status, errcode and message; the binding stays", async () => {
    await withApp("sqlite", async (b) => {
      const mxid = "@carol:example.org";
      const sid = await bindSession(b, "carol@example.org", "s1", mxid);
      const pending = await emailSession(b, "carol@example.org", "s2", { validate: false });
      const other = await emailSession(b, "dave@example.org", "s3");
      const threepid = { medium: "email", address: "carol@example.org" };
      const session = { sid, client_secret: "s1" };
      const noSession = "No valid session was found matching that sid and client secret";
      const cases: [object | string, number, string, string][] = [
        ["{", 400, "M_BAD_JSON", "Malformed JSON"],
        ["[1]", 400, "M_BAD_JSON", "Request body must be a JSON object"],
        [{}, 400, "M_MISSING_PARAMS", "Missing parameters: threepid,mxid"],
        [{ threepid }, 400, "M_MISSING_PARAMS", "Missing parameters: mxid"],
        [
          { ...session, threepid: { medium: "email" }, mxid },
          400,
          "M_MISSING_PARAMS",
          "Threepid lacks medium / address",
        ],
        [{ ...session, threepid: "email", mxid }, 400, "M_MISSING_PARAMS", "Threepid lacks medium / address"],
        [
          { ...session, threepid: { medium: "email", address: 1 }, mxid },
          400,
          "M_INVALID_PARAM",
          "Invalid parameter: threepid",
        ],
        [
          { sid, client_secret: "s 1", threepid, mxid },
          400,
          "M_INVALID_PARAM",
          "Invalid client_secret provided",
        ],
        [{ sid: "999", client_secret: "s1", threepid, mxid }, 401, "M_NO_VALID_SESSION", noSession],
        [{ sid, client_secret: "s9", threepid, mxid }, 401, "M_NO_VALID_SESSION", noSession],
        [
          { sid: pending, client_secret: "s2", threepid, mxid },
          403,
          "M_SESSION_NOT_VALIDATED",
          "This validation session has not yet been completed",
        ],
        [
          { sid: other, client_secret: "s3", threepid, mxid },
          403,
          "M_FORBIDDEN",
          "Provided session information does not match medium/address combo",
        ],
        [
          { ...session, threepid: { medium: "msisdn", address: "carol@example.org" }, mxid },
          403,
          "M_FORBIDDEN",
          "Provided session information does not match medium/address combo",
        ],
      ];
      for (const [payload, status, errcode, error] of cases) {
        const res = await post(b, `${V1}/3pid/unbind`, payload);
        assert.equal(res.statusCode, status, JSON.stringify(payload));
        assert.deepEqual(res.json(), { errcode, error }, JSON.stringify(payload));
      }
      b.deps.clock.advance(SESSION_LIFETIME_MS);
      const expired = await post(b, `${V2}/3pid/unbind`, { ...session, threepid, mxid });
      assert.equal(expired.statusCode, 400);
      assert.equal(expired.json().errcode, "M_SESSION_EXPIRED");
      const found = await lookupEverywhere(b.app, b.deps.pepper, "email", "carol@example.org");
      assert.equal(found.v1, mxid);
    });
  });

  test("without a session, an X-Matrix signature is required", async () => {
    await withApp("sqlite", async (b) => {
      const body = { threepid: { medium: "email", address: "x@example.org" }, mxid: "@x:example.org" };
      const url = `${V1}/3pid/unbind`;
      const none = await post(b, url, body);
      assert.equal(none.statusCode, 401);
      assert.deepEqual(none.json(), { errcode: "M_FORBIDDEN", error: "Missing Authorization headers" });
      const bearerOnly = await b.app.inject({
        method: "POST",
        url,
        payload: { ...body, sid: "1" },
        headers: { authorization: "Bearer abc" },
      });
      assert.equal(bearerOnly.statusCode, 401);
      assert.deepEqual(bearerOnly.json(), {
        errcode: "M_FORBIDDEN",
        error: "Missing X-Matrix Authorization header",
      });
    });
  });
});
