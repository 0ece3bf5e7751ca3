// POST {v1,v2}/3pid/bind over HTTP: a validated session binds its 3PID; every lookup path then
// answers the mxid, the association verifies with the server key, a re-bind wins everywhere; the
// v2 owner check and every error of behaviour §1.12.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { bearer, TEST_USER } from "../../../test/auth.js";
import { bindingApp, bindV1, emailSession, withBindingApp, type BindingApp } from "../../../test/bindings.js";
import { engines } from "../../../test/deps.js";
import { lookupEverywhere, V1, V2 } from "../../../test/lookups.js";
import { verifySignedJson } from "../../crypto/signed-json.js";
import { SESSION_LIFETIME_MS } from "../../domain/sessions.js";
import { ASSOCIATION_LIFETIME_MS } from "../../domain/signed-association.js";

const withApp = (engine: "sqlite" | "postgres", fn: (b: BindingApp) => Promise<void>) =>
  withBindingApp({ engine }, fn);

const post = (b: BindingApp, url: string, payload: object, headers: Record<string, string> = {}) =>
  b.app.inject({ method: "POST", url, payload, headers });

const everywhere = (mxid: string | undefined) => ({ v1: mxid, bulk: mxid, none: mxid, sha256: mxid });

for (const engine of engines()) {
  describe(`bind (${engine})`, () => {
    test("a bind answers every lookup with a signed association for the case-folded address", async () => {
      await withApp(engine, async (b) => {
        const sid = await emailSession(b, "Straße@Example.ORG", "s1");
        const now = b.deps.clock.now();
        const res = await post(b, `${V1}/3pid/bind`, {
          sid,
          client_secret: "s1",
          mxid: "@alice:example.org",
        });
        assert.equal(res.statusCode, 200, res.body);
        assert.match(String(res.headers["content-type"]), /^application\/json/);
        const signed = res.json();
        const serverName = b.deps.config.general.serverName;
        assert.deepEqual(signed, {
          medium: "email",
          address: "strasse@example.org",
          mxid: "@alice:example.org",
          ts: now,
          not_before: now,
          not_after: now + ASSOCIATION_LIFETIME_MS,
          signatures: signed.signatures,
        });
        assert.deepEqual(Object.keys(signed.signatures), [serverName]);
        const check = verifySignedJson(signed, serverName, "ed25519:0", b.deps.serverKey.publicKey);
        assert.deepEqual(check, { ok: true });

        // A binding is valid strictly after its not_before.
        b.deps.clock.advance(1);
        const found = await lookupEverywhere(b.app, b.deps.pepper, "email", "strasse@example.org");
        assert.deepEqual(found, everywhere("@alice:example.org"));
        const v1 = await b.app.inject({ url: `${V1}/lookup?medium=email&address=strasse@example.org` });
        const served = v1.json();
        assert.deepEqual(verifySignedJson(served, serverName, "ed25519:0", b.deps.serverKey.publicKey), {
          ok: true,
        });
        assert.equal(served.ts, now);
      });
    });

    test("a re-bind of the 3PID to another mxid answers the new one everywhere", async () => {
      await withApp(engine, async (b) => {
        const sid = await emailSession(b, "bob@example.org", "s1");
        await bindV1(b, sid, "s1", "@zed:example.org");
        b.deps.clock.advance(1000);
        // The same session binds again, to an mxid that sorts before the first one.
        await bindV1(b, sid, "s1", "@abe:example.org");
        b.deps.clock.advance(1);
        const found = await lookupEverywhere(b.app, b.deps.pepper, "email", "bob@example.org");
        assert.deepEqual(found, everywhere("@abe:example.org"));
        const local = await b.deps.store.associations.localAfter(null);
        assert.deepEqual(
          local.map((row) => [row.address, row.mxid]),
          [["bob@example.org", "@abe:example.org"]],
        );
      });
    });
  });
}

describe("bind: v2 and the errors of behaviour §1.12", () => {
  test("v2 binds only the authenticated user's own mxid", async () => {
    await withApp("sqlite", async (b) => {
      const sid = await emailSession(b, "carol@example.org", "s1");
      const url = `${V2}/3pid/bind`;
      const unauthenticated = await post(b, url, { sid, client_secret: "s1", mxid: TEST_USER });
      assert.equal(unauthenticated.statusCode, 401);
      assert.equal(unauthenticated.json().errcode, "M_UNAUTHORIZED");
      const other = await post(b, url, { sid, client_secret: "s1", mxid: "@mallory:example.org" }, bearer);
      assert.equal(other.statusCode, 403);
      assert.deepEqual(other.json(), {
        errcode: "M_UNAUTHORIZED",
        error: "This user is prohibited from binding to the mxid",
      });
      const own = await post(b, url, { sid, client_secret: "s1", mxid: TEST_USER }, bearer);
      assert.equal(own.statusCode, 200, own.body);
      assert.equal(own.json().mxid, TEST_USER);
      b.deps.clock.advance(1);
      const found = await lookupEverywhere(b.app, b.deps.pepper, "email", "carol@example.org");
      assert.deepEqual(found, everywhere(TEST_USER));
    });
  });

  test("after each committed change peers are poked (not after an unbind that changed nothing); a bind sends its onbind", async () => {
    let pokes = 0;
    let kicks = 0;
    const b = await bindingApp({}, { replication: { poke: () => pokes++ }, onbind: { kick: () => kicks++ } });
    try {
      const sid = await emailSession(b, "pat@example.org", "s1");
      const mxid = "@pat:example.org";
      assert.equal((await post(b, `${V1}/3pid/bind`, { sid, client_secret: "s1", mxid })).statusCode, 200);
      assert.deepEqual([pokes, kicks], [1, 1]);
      const threepid = { medium: "email", address: "pat@example.org" };
      const unbind = (who: string) =>
        post(b, `${V1}/3pid/unbind`, { sid, client_secret: "s1", threepid, mxid: who });
      assert.equal((await unbind("@other:example.org")).statusCode, 200);
      assert.equal(pokes, 1);
      assert.equal((await unbind(mxid)).statusCode, 200);
      assert.deepEqual([pokes, kicks], [2, 1]);
    } finally {
      await b.close();
    }
  });

  test("v1 binds any mxid string, as Sydent", async () => {
    await withApp("sqlite", async (b) => {
      const sid = await emailSession(b, "dan@example.org", "s1");
      const res = await post(b, `${V1}/3pid/bind`, { sid, client_secret: "s1", mxid: "not an mxid" });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json().mxid, "not an mxid");
    });
  });

  test("every refusal, with Sydent's status, errcode and message; nothing is bound", async () => {
    await withApp("sqlite", async (b) => {
      const sid = await emailSession(b, "erin@example.org", "s1");
      const pending = await emailSession(b, "erin@example.org", "s2", { validate: false });
      const url = `${V1}/3pid/bind`;
      const mxid = "@erin:example.org";
      const cases: [object, number, string, string][] = [
        [{}, 400, "M_MISSING_PARAMS", "Missing parameters: sid,client_secret,mxid"],
        [{ sid, mxid }, 400, "M_MISSING_PARAMS", "Missing parameters: client_secret"],
        [{ sid, client_secret: "s 1", mxid }, 400, "M_INVALID_PARAM", "Invalid client_secret provided"],
        [{ sid, client_secret: 7, mxid }, 400, "M_INVALID_PARAM", "Invalid client_secret provided"],
        [{ sid, client_secret: "s1", mxid: 7 }, 400, "M_INVALID_PARAM", "Invalid parameter: mxid"],
        ...[
          { sid: "999", client_secret: "s1" },
          { sid, client_secret: "s3" },
          { sid: "x", client_secret: "s1" },
        ].map((args): [object, number, string, string] => [
          { ...args, mxid },
          404,
          "M_NO_VALID_SESSION",
          "No valid session was found matching that sid and client secret",
        ]),
        [
          { sid: pending, client_secret: "s2", mxid },
          400,
          "M_SESSION_NOT_VALIDATED",
          "This validation session has not yet been completed",
        ],
      ];
      for (const [payload, status, errcode, error] of cases) {
        const res = await post(b, url, payload);
        assert.equal(res.statusCode, status, JSON.stringify(payload));
        assert.deepEqual(res.json(), { errcode, error }, JSON.stringify(payload));
      }
      const bad = await b.app.inject({
        method: "POST",
        url: `${V2}/3pid/bind`,
        headers: { ...bearer, "content-type": "application/json" },
        payload: "{",
      });
      assert.deepEqual([bad.statusCode, bad.json().errcode], [400, "M_BAD_JSON"]);

      b.deps.clock.advance(SESSION_LIFETIME_MS + 1);
      const expired = await post(b, url, { sid, client_secret: "s1", mxid });
      assert.equal(expired.statusCode, 400);
      assert.equal(expired.json().errcode, "M_SESSION_EXPIRED");
      assert.deepEqual(await b.deps.store.associations.localAfter(null), []);
    });
  });
});
