import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { engines } from "../../../test/deps.js";
import { sessionApp, V1, V2, type RecordingMailer, type SessionApp } from "../../../test/sessions.js";
import { SESSION_LIFETIME_MS } from "../../domain/sessions.js";

const REQUEST = `${V1}/validate/email/requestToken`;
const SUBMIT = `${V1}/validate/email/submitToken`;
const SUCCESS = "Verification successful! Please return to your Matrix client to continue.";
const FAILURE = "Verification failed: you may need to request another verification email";

interface Requested {
  sid: string;
  token: string;
  link: string;
}

async function requested(
  s: SessionApp,
  extra: Record<string, unknown> = {},
  secret = "secret-1",
): Promise<Requested> {
  const res = await s.app.inject({
    method: "POST",
    url: REQUEST,
    payload: { email: "bob@example.com", client_secret: secret, send_attempt: 1, ...extra },
  });
  assert.equal(res.statusCode, 200, res.body);
  const mail = (s.mailer as RecordingMailer).sent.at(-1)!;
  return { sid: res.json().sid, token: mail.vars.token!, link: mail.vars.link! };
}

async function withApp(engine: "sqlite" | "postgres", fn: (s: SessionApp) => Promise<void>) {
  const s = await sessionApp({ engine });
  try {
    await fn(s);
  } finally {
    await s.close();
  }
}

for (const engine of engines()) {
  describe(`${engine}: email POST submitToken`, () => {
    test("answers 200 in every case, with Sydent's (swapped) messages", async () => {
      await withApp(engine, async (s) => {
        const { sid, token } = await requested(s);
        const submit = (payload: Record<string, unknown>) =>
          s.app.inject({
            method: "POST",
            url: SUBMIT,
            payload: { sid, client_secret: "secret-1", token, ...payload },
          });
        const cases: [Record<string, unknown>, Record<string, unknown>][] = [
          [
            { client_secret: "other" },
            {
              success: false,
              errcode: "M_INVALID_PARAM",
              error: "Client secret does not match the one given when requesting the token",
            },
          ],
          [
            { sid: "12345" },
            { success: false, errcode: "M_INVALID_PARAM", error: "The token doesn't match" },
          ],
          [
            { sid: { a: 1 } },
            { success: false, errcode: "M_INVALID_PARAM", error: "The token doesn't match" },
          ],
          [{ sid: "abc" }, { success: false, errcode: "M_INVALID_PARAM", error: "The token doesn't match" }],
          [
            { token: token.toLowerCase() === token ? token.toUpperCase() : token.toLowerCase() },
            {
              success: false,
              errcode: "M_NO_VALID_SESSION",
              error: "No session could be found with this sid",
            },
          ],
        ];
        for (const [change, answer] of cases) {
          const res = await submit(change);
          assert.equal(res.statusCode, 200, JSON.stringify(change));
          assert.deepEqual(res.json(), answer, JSON.stringify(change));
        }
        assert.equal((await s.deps.store.sessions.get(Number(sid)))?.validated, false);

        const numeric = await submit({ sid: Number(sid) });
        assert.deepEqual(numeric.json(), { success: true }, "a JSON number sid works too");
        assert.deepEqual((await submit({})).json(), { success: true }, "validating again succeeds");

        s.deps.clock.advance(SESSION_LIFETIME_MS + 1);
        assert.deepEqual((await submit({})).json(), {
          success: false,
          errcode: "M_SESSION_EXPIRED",
          error: "This validation session has expired: call requestToken again",
        });
      });
    });

    test("a malformed client secret is a 400 without `success`; missing arguments are named", async () => {
      await withApp(engine, async (s) => {
        const { sid, token } = await requested(s);
        const bad = await s.app.inject({
          method: "POST",
          url: SUBMIT,
          payload: { sid, token, client_secret: "a\n" },
        });
        assert.equal(bad.statusCode, 400);
        assert.deepEqual(bad.json(), { errcode: "M_INVALID_PARAM", error: "Invalid client_secret provided" });
        const missing = await s.app.inject({ method: "POST", url: SUBMIT, payload: {} });
        assert.deepEqual(missing.json(), {
          errcode: "M_MISSING_PARAMS",
          error: "Missing parameters: token,sid,client_secret",
        });
      });
    });
  });

  describe(`${engine}: the emailed link (GET submitToken)`, () => {
    test("validates and shows the success page of the requested brand", async () => {
      await withApp(engine, async (s) => {
        const { sid, link } = await requested(s);
        const res = await s.app.inject({ url: `${link}&brand=vector-im` });
        assert.equal(res.statusCode, 200);
        assert.match(String(res.headers["content-type"]), /^text\/html/);
        assert.equal(res.body, `vector-im|${SUCCESS}`);
        assert.equal((await s.deps.store.sessions.get(Number(sid)))?.validated, true);
        const v2 = await s.app.inject({ url: link.replace(`${V1}/`, `${V2}/`) });
        assert.equal(v2.statusCode, 200, "v2 needs no token either");
      });
    });

    test("failures show the failure page: 200 for a wrong token, 400 for missing arguments or a bad secret", async () => {
      await withApp(engine, async (s) => {
        const { sid, token } = await requested(s);
        const get = (query: Record<string, string>) =>
          s.app.inject({ url: `${SUBMIT}?${new URLSearchParams(query)}` });
        const wrong = await get({
          sid,
          client_secret: "secret-1",
          token: "nope",
          nextLink: "https://x.org/",
        });
        assert.equal(wrong.statusCode, 200);
        assert.equal(wrong.headers.location, undefined);
        assert.equal(wrong.body, `-|${FAILURE}`);
        const missing = await get({ sid, client_secret: "secret-1" });
        assert.equal(missing.statusCode, 400);
        assert.equal(missing.body, `-|${FAILURE}`);
        const badSecret = await get({ sid, token, client_secret: "a b" });
        assert.equal(badSecret.statusCode, 400);
        assert.equal((await s.deps.store.sessions.get(Number(sid)))?.validated, false);
      });
    });

    test("redirects only to the next_link given for the session, with the sid added", async () => {
      await withApp(engine, async (s) => {
        const { sid, token, link } = await requested(s, { next_link: "https://app.example.org/#/validated" });
        const target = `https://app.example.org/#/validated?sid=${sid}`;
        assert.ok(link.endsWith(`&nextLink=https%3A//app.example.org/%23/validated%3Fsid%3D${sid}`), link);
        const res = await s.app.inject({ url: link });
        assert.equal(res.statusCode, 302);
        assert.equal(res.headers.location, target);
        assert.equal(res.body, `-|${SUCCESS}`, "the page is the body of the redirect too");

        const get = (nextLink: string) =>
          s.app.inject({
            url: `${SUBMIT}?${new URLSearchParams({ sid, token, client_secret: "secret-1", nextLink })}`,
          });
        for (const other of [
          "https://evil.example/",
          "https://app.example.org/#/validated",
          "javascript:alert(1)",
        ]) {
          const res = await get(other);
          assert.equal(res.statusCode, 200, other);
          assert.equal(res.headers.location, undefined, other);
          assert.equal(res.body, `-|${SUCCESS}`);
        }
      });
    });

    test("a query in next_link gets `&sid=`; links of earlier requests for the session stay valid", async () => {
      await withApp(engine, async (s) => {
        const first = await requested(s, { next_link: "https://x.org/a?b=1" });
        const second = await requested(s, { next_link: "https://y.org/" });
        assert.equal(second.sid, first.sid);
        assert.ok(
          first.link.endsWith(`&nextLink=https%3A//x.org/a%3Fb%3D1%26sid%3D${first.sid}`),
          first.link,
        );
        for (const [link, target] of [
          [first.link, `https://x.org/a?b=1&sid=${first.sid}`],
          [second.link, `https://y.org/?sid=${first.sid}`],
        ] as const) {
          const res = await s.app.inject({ url: link });
          assert.equal(res.headers.location, target);
        }
      });
    });

    test("file:, javascript:, relative and empty next_links are left out of the email", async () => {
      await withApp(engine, async (s) => {
        for (const [i, nextLink] of [
          "file:///etc/passwd",
          "javascript:alert(1)",
          "/relative",
          "",
          "data:text/html,x",
        ].entries()) {
          const { link } = await requested(s, { next_link: nextLink }, `secret-${i}`);
          assert.ok(!link.includes("nextLink"), nextLink);
        }
        const nonString = await s.app.inject({
          method: "POST",
          url: REQUEST,
          payload: { email: "a@b.c", client_secret: "x", send_attempt: 1, next_link: 5 },
        });
        assert.equal(nonString.statusCode, 400);
      });
    });

    test("a next_link with non-ASCII characters redirects to its ASCII serialisation", async () => {
      await withApp(engine, async (s) => {
        const { link, sid } = await requested(s, { next_link: "https://exämple.org/ü" });
        const res = await s.app.inject({ url: link });
        assert.equal(res.statusCode, 302);
        assert.equal(res.headers.location, `https://xn--exmple-cua.org/%C3%BC?sid=${sid}`);
      });
    });
  });
}
