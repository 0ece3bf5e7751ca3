// Terms of service over HTTP (behaviour §9.2, the matrix-is-tester cases), on every engine.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { bearer, userToken } from "../../../test/accounts.js";
import { engines, testDeps, type Engine } from "../../../test/deps.js";
import { fixturePath } from "../../../test/fixtures.js";
import { buildApp } from "../../app.js";
import { TERMS_RECHECK_MS } from "../../config/terms-file.js";

const dir = mkdtempSync(join(tmpdir(), "cairn-terms-http-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const SAMPLE = readFileSync(fixturePath("current", "terms.yaml"), "utf8");
const URL_BASE = "https://example.org/somewhere";
const TOS_EN = `${URL_BASE}/terms-2.0-en.html`;
const TOS_FR = `${URL_BASE}/terms-2.0-fr.html`;
const PRIVACY_EN = `${URL_BASE}/privacy-1.2-en.html`;
const PRIVACY_FR = `${URL_BASE}/privacy-1.2-fr.html`;
const v2 = "/_matrix/identity/v2";

let files = 0;

async function setup(engine: Engine, text: string | null = SAMPLE) {
  const file = join(dir, `terms-${files++}.yaml`);
  if (text !== null) writeFileSync(file, text);
  const deps = await testDeps({ engine, conf: text === null ? {} : { general: { "terms.path": file } } });
  const app = buildApp(deps);
  return {
    deps,
    app,
    /** Edits the file and lets the server notice. */
    edit(next: string) {
      writeFileSync(file, next);
      deps.clock.advance(TERMS_RECHECK_MS);
    },
    account: (token: string) => app.inject({ url: `${v2}/account`, headers: bearer(token) }),
    accept: (token: string, urls: unknown) =>
      app.inject({
        method: "POST",
        url: `${v2}/terms`,
        headers: bearer(token),
        payload: { user_accepts: urls },
      }),
    async close() {
      await app.close();
      await deps.cleanup();
    },
  };
}

async function withSetup(
  engine: Engine,
  text: string | null,
  fn: (s: Awaited<ReturnType<typeof setup>>) => Promise<void>,
) {
  const s = await setup(engine, text);
  try {
    await fn(s);
  } finally {
    await s.close();
  }
}

const errcode = (res: { statusCode: number; json(): { errcode?: string } }) => [
  res.statusCode,
  res.json().errcode,
];

for (const engine of engines()) {
  describe(`terms of service (${engine})`, () => {
    test("GET /terms serves the file's policies, unauthenticated, as Sydent did", async () => {
      await withSetup(engine, SAMPLE, async ({ app }) => {
        const res = await app.inject({ url: `${v2}/terms` });
        assert.equal(res.statusCode, 200);
        const transcript = JSON.parse(
          readFileSync(fixturePath("current", "http-transcript.json"), "utf8"),
        ) as {
          label: string;
          response: { json: unknown };
        }[];
        assert.equal(
          res.body,
          JSON.stringify(transcript.find((e) => e.label === "terms:get")?.response.json),
        );
      });
    });

    test("an account that has not accepted is refused with M_TERMS_NOT_SIGNED; no token is M_UNAUTHORIZED", async () => {
      await withSetup(engine, SAMPLE, async ({ deps, app, account, accept }) => {
        const token = await userToken(deps, "@alice:example.org");
        assert.deepEqual((await account(token)).json(), {
          errcode: "M_TERMS_NOT_SIGNED",
          error: "Terms not signed",
        });
        assert.equal((await account(token)).statusCode, 403);
        const noToken = await app.inject({ url: `${v2}/account` });
        assert.equal(noToken.statusCode, 401);
        assert.deepEqual(noToken.json(), { errcode: "M_UNAUTHORIZED", error: "Unauthorized" });
        const postNoToken = await app.inject({
          method: "POST",
          url: `${v2}/terms`,
          payload: { user_accepts: [] },
        });
        assert.deepEqual(errcode(postNoToken), [401, "M_UNAUTHORIZED"]);
        assert.deepEqual(errcode(await accept("not-a-token", [])), [401, "M_UNAUTHORIZED"]);
      });
    });

    test("partial acceptance is stored but still refused; POST /terms itself is never gated", async () => {
      await withSetup(engine, SAMPLE, async ({ deps, account, accept }) => {
        const token = await userToken(deps, "@bob:example.org");
        const res = await accept(token, [PRIVACY_EN]);
        assert.equal(res.statusCode, 200);
        assert.deepEqual(res.json(), {});
        assert.deepEqual(errcode(await account(token)), [403, "M_TERMS_NOT_SIGNED"]);
        assert.deepEqual(await deps.store.accounts.acceptedTermsUrls("@bob:example.org"), [PRIVACY_EN]);
        assert.equal((await accept(token, [PRIVACY_EN])).statusCode, 200);
      });
    });

    test("one language per document is enough, and languages may be mixed", async () => {
      await withSetup(engine, SAMPLE, async ({ deps, account, accept }) => {
        const token = await userToken(deps, "@carol:example.org");
        assert.equal((await accept(token, [TOS_FR, PRIVACY_EN])).statusCode, 200);
        const res = await account(token);
        assert.equal(res.statusCode, 200);
        assert.deepEqual(res.json(), { user_id: "@carol:example.org" });
      });
    });

    test("acceptance accumulates over several calls", async () => {
      await withSetup(engine, SAMPLE, async ({ deps, account, accept }) => {
        const token = await userToken(deps, "@dave:example.org");
        assert.equal((await accept(token, [TOS_EN])).statusCode, 200);
        assert.deepEqual(errcode(await account(token)), [403, "M_TERMS_NOT_SIGNED"]);
        assert.equal((await accept(token, [PRIVACY_FR])).statusCode, 200);
        assert.equal((await account(token)).statusCode, 200);
        // Consent belongs to the account: its other tokens pass too.
        assert.equal((await account(await userToken(deps, "@dave:example.org"))).statusCode, 200);
      });
    });

    test("unknown URLs refuse the whole call and store nothing", async () => {
      await withSetup(engine, SAMPLE, async ({ deps, accept }) => {
        const token = await userToken(deps, "@erin:example.org");
        const res = await accept(token, [TOS_EN, "https://evil/x", "https://evil/y", "https://evil/x"]);
        assert.equal(res.statusCode, 400);
        assert.deepEqual(res.json(), {
          errcode: "M_UNKNOWN",
          error: "Unrecognised URLs: https://evil/x, https://evil/y",
        });
        assert.deepEqual(await deps.store.accounts.acceptedTermsUrls("@erin:example.org"), []);
      });
    });

    test("user_accepts must be a list of URLs", async () => {
      await withSetup(engine, SAMPLE, async ({ deps, app, accept }) => {
        const token = await userToken(deps, "@frank:example.org");
        for (const bad of [TOS_EN, [1], { a: TOS_EN }, null]) {
          const res = await accept(token, bad);
          assert.equal(res.statusCode, 400, JSON.stringify(bad));
          assert.deepEqual(res.json(), {
            errcode: "M_INVALID_PARAM",
            error: "user_accepts must be a list of URLs",
          });
        }
        const missing = await app.inject({
          method: "POST",
          url: `${v2}/terms`,
          headers: bearer(token),
          payload: {},
        });
        assert.deepEqual(errcode(missing), [400, "M_MISSING_PARAMS"]);
      });
    });

    test("the token may also come from the JSON body (Sydent answers M_BAD_JSON) or the query of a GET", async () => {
      await withSetup(engine, SAMPLE, async ({ deps, app }) => {
        const token = await userToken(deps, "@gina:example.org");
        const res = await app.inject({
          method: "POST",
          url: `${v2}/terms`,
          payload: { access_token: token, user_accepts: [TOS_EN, PRIVACY_EN] },
        });
        assert.equal(res.statusCode, 200);
        const get = await app.inject({ url: `${v2}/account`, query: { access_token: token } });
        assert.deepEqual(get.json(), { user_id: "@gina:example.org" });
      });
    });

    test("a new master_version re-gates everyone; any POST restores consent if the URLs still cover", async () => {
      await withSetup(engine, SAMPLE, async ({ deps, account, accept, edit }) => {
        const alice = await userToken(deps, "@alice:example.org");
        const bob = await userToken(deps, "@bob:example.org");
        await accept(alice, [TOS_EN, PRIVACY_EN]);
        await accept(bob, [TOS_FR, PRIVACY_FR]);
        assert.equal((await account(alice)).statusCode, 200);
        edit(SAMPLE.replace("master_1_1", "master_1_2"));
        assert.deepEqual(errcode(await account(alice)), [403, "M_TERMS_NOT_SIGNED"]);
        assert.deepEqual(errcode(await account(bob)), [403, "M_TERMS_NOT_SIGNED"]);
        // Re-accepting an already accepted URL, or nothing at all, re-evaluates.
        assert.equal((await accept(alice, [TOS_EN])).statusCode, 200);
        assert.equal((await account(alice)).statusCode, 200);
        assert.equal((await accept(bob, [])).statusCode, 200);
        assert.equal((await account(bob)).statusCode, 200);
      });
    });

    test("a new document version needs its new URL accepted; old URLs are no longer known", async () => {
      await withSetup(engine, SAMPLE, async ({ deps, account, accept, edit }) => {
        const token = await userToken(deps, "@hank:example.org");
        await accept(token, [TOS_EN, PRIVACY_EN]);
        edit(
          SAMPLE.replace("master_1_1", "master_2")
            .replaceAll("terms-2.0", "terms-3.0")
            .replace('"2.0"', '"3.0"'),
        );
        const policies = (await deps.terms.current())?.docs.get("terms_of_service");
        assert.equal(policies?.version, "3.0");
        assert.equal((await accept(token, [])).statusCode, 200);
        assert.deepEqual(errcode(await account(token)), [403, "M_TERMS_NOT_SIGNED"]);
        assert.deepEqual(errcode(await accept(token, [TOS_EN])), [400, "M_UNKNOWN"]);
        assert.equal((await accept(token, [`${URL_BASE}/terms-3.0-fr.html`])).statusCode, 200);
        assert.equal((await account(token)).statusCode, 200);
      });
    });

    test("the file changing while the server runs: new policies served; a broken edit keeps the last good terms", async () => {
      await withSetup(engine, SAMPLE, async ({ deps, app, account, accept, edit }) => {
        const token = await userToken(deps, "@ivy:example.org");
        await accept(token, [TOS_EN, PRIVACY_EN]);
        const next = SAMPLE.replace("master_1_1", "master_9").replace("Privacy Policy", "Privacy Notice");
        edit(next);
        const served = await app.inject({ url: `${v2}/terms` });
        assert.equal(served.json().policies.privacy_policy.en.name, "Privacy Notice");
        assert.deepEqual(errcode(await account(token)), [403, "M_TERMS_NOT_SIGNED"]);

        edit("master_version: broken\ndocs:\n  - not: a mapping\n");
        const stillServed = await app.inject({ url: `${v2}/terms` });
        assert.equal(stillServed.statusCode, 200);
        assert.equal(stillServed.json().policies.privacy_policy.en.name, "Privacy Notice");
        assert.equal((await accept(token, [TOS_EN])).statusCode, 200);
        assert.equal((await account(token)).statusCode, 200, "consent to master_9, the last good terms");
        assert.equal((await deps.terms.current())?.masterVersion, "master_9");
      });
    });

    test("no terms file: empty policies and nothing gated; every URL is unknown", async () => {
      await withSetup(engine, null, async ({ deps, app, account, accept }) => {
        const res = await app.inject({ url: `${v2}/terms` });
        assert.equal(res.body, '{"policies":{}}');
        const token = await userToken(deps, "@jo:example.org");
        assert.deepEqual((await account(token)).json(), { user_id: "@jo:example.org" });
        assert.deepEqual((await accept(token, [TOS_EN])).json(), {
          errcode: "M_UNKNOWN",
          error: `Unrecognised URLs: ${TOS_EN}`,
        });
        assert.equal((await accept(token, [])).statusCode, 200);
      });
    });
  });
}
