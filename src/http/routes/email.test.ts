import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { engines, type IniSections } from "../../../test/deps.js";
import type { RecordingMailer } from "../../../test/sessions.js";
import { sessionApp, USER_TOKEN, V1, V2, type SessionApp } from "../../../test/sessions.js";
import { SESSION_LIFETIME_MS } from "../../domain/sessions.js";

const REQUEST = `${V1}/validate/email/requestToken`;
const SUBMIT = `${V1}/validate/email/submitToken`;
const body = (extra: Record<string, unknown> = {}) => ({
  email: "Alice.Smith@Example.ORG",
  client_secret: "secret-1",
  send_attempt: 1,
  ...extra,
});

async function withApp(
  engine: "sqlite" | "postgres",
  fn: (s: SessionApp) => Promise<void>,
  conf: IniSections = {},
) {
  const s = await sessionApp({ engine, conf });
  try {
    await fn(s);
  } finally {
    await s.close();
  }
}

const mails = (s: SessionApp) => (s.mailer as RecordingMailer).sent;

for (const engine of engines()) {
  describe(`${engine}: email requestToken`, () => {
    test("mails a 32-character token and Sydent's link; the address is kept as given", async () => {
      await withApp(
        engine,
        async (s) => {
          const res = await s.app.inject({
            method: "POST",
            url: `${REQUEST}?brand=vector-im`,
            payload: body(),
          });
          assert.equal(res.statusCode, 200);
          assert.match(String(res.headers["content-type"]), /^application\/json/);
          const sid = res.json().sid;
          assert.match(sid, /^[0-9]+$/);
          assert.ok(Number(sid) <= 2 ** 31);
          assert.equal(mails(s).length, 1);
          const mail = mails(s)[0]!;
          assert.equal(mail.template, "verification_template.eml");
          assert.equal(mail.brand, "vector-im");
          assert.equal(mail.to, "Alice.Smith@Example.ORG");
          assert.match(mail.vars.token ?? "", /^[0-9a-zA-Z]{32}$/);
          assert.equal(mail.vars.ipaddress, "127.0.0.1");
          assert.equal(
            mail.vars.link,
            `https://id.example.org${SUBMIT}?token=${mail.vars.token}&client_secret=secret-1&sid=${sid}`,
          );
          const session = await s.deps.store.sessions.getWithToken(Number(sid));
          assert.equal(session?.address, "Alice.Smith@Example.ORG");
          assert.equal(session?.sendAttemptNumber, 1);
          assert.equal(session?.mtime, s.deps.clock.now());
        },
        { http: { client_http_base: "https://id.example.org" } },
      );
    });

    test("v1 reads query-string arguments; a non-JSON body is not read", async () => {
      await withApp(engine, async (s) => {
        const query = new URLSearchParams({ email: "a@example.org", client_secret: "s", send_attempt: "1" });
        const res = await s.app.inject({ method: "POST", url: `${REQUEST}?${query}` });
        assert.equal(res.statusCode, 200);
        const text = await s.app.inject({
          method: "POST",
          url: REQUEST,
          headers: { "content-type": "text/plain" },
          payload: JSON.stringify(body()),
        });
        assert.deepEqual(text.json(), {
          errcode: "M_MISSING_PARAMS",
          error: "Missing parameters: email,client_secret,send_attempt",
        });
      });
    });

    test("every requestToken with send_attempt >= 0 re-sends the same token; a negative one sends nothing", async () => {
      await withApp(engine, async (s) => {
        const sids = [];
        for (const attempt of [1, 1, 0, -1]) {
          s.deps.clock.advance(1000);
          const res = await s.app.inject({
            method: "POST",
            url: REQUEST,
            payload: body({ send_attempt: attempt }),
          });
          sids.push(res.json().sid);
        }
        assert.equal(new Set(sids).size, 1);
        assert.equal(mails(s).length, 3);
        assert.equal(new Set(mails(s).map((m) => m.vars.token)).size, 1);
        const session = await s.deps.store.sessions.getWithToken(Number(sids[0]));
        assert.equal(session?.mtime, s.deps.clock.now(), "the last call refreshed the session");
        assert.equal(session?.sendAttemptNumber, 0, "the last sent attempt is stored");
      });
    });

    test("an expired or validated session is reused and its lifetime starts again", async () => {
      await withApp(engine, async (s) => {
        const sid = (await s.app.inject({ method: "POST", url: REQUEST, payload: body() })).json().sid;
        const token = mails(s)[0]!.vars.token;
        s.deps.clock.advance(SESSION_LIFETIME_MS + 1);
        const expired = await s.app.inject({
          method: "POST",
          url: SUBMIT,
          payload: { sid, client_secret: "secret-1", token },
        });
        assert.equal(expired.json().errcode, "M_SESSION_EXPIRED");
        const again = await s.app.inject({ method: "POST", url: REQUEST, payload: body() });
        assert.equal(again.json().sid, sid);
        const ok = await s.app.inject({
          method: "POST",
          url: SUBMIT,
          payload: { sid, client_secret: "secret-1", token },
        });
        assert.deepEqual(ok.json(), { success: true });
        const other = await s.app.inject({
          method: "POST",
          url: REQUEST,
          payload: body({ client_secret: "secret-2" }),
        });
        assert.notEqual(other.json().sid, sid, "another secret is another session");
      });
    });

    test("send_attempt is read as Python's int(); anything else is refused with Sydent's message", async () => {
      await withApp(engine, async (s) => {
        for (const attempt of [" 2 ", "+3", 4.9, true, "1_0"]) {
          const res = await s.app.inject({
            method: "POST",
            url: REQUEST,
            payload: body({ send_attempt: attempt }),
          });
          assert.equal(res.statusCode, 200, JSON.stringify(attempt));
        }
        const cases: [unknown, string][] = [
          ["abc", "abc"],
          [[1], "[1]"],
          [null, "None"],
          [{ a: "b" }, "{'a': 'b'}"],
        ];
        for (const [attempt, shown] of cases) {
          const res = await s.app.inject({
            method: "POST",
            url: REQUEST,
            payload: body({ send_attempt: attempt }),
          });
          assert.equal(res.statusCode, 400);
          assert.deepEqual(res.json(), {
            errcode: "M_INVALID_PARAM",
            error: `send_attempt should be an integer (got ${shown}`,
          });
        }
      });
    });

    test("client_secret and email are checked in Sydent's order and words", async () => {
      await withApp(engine, async (s) => {
        const badSecret = { errcode: "M_INVALID_PARAM", error: "Invalid client_secret provided" };
        for (const secret of ["abc\n", "", "a b", "s".repeat(256), 12, null]) {
          const res = await s.app.inject({
            method: "POST",
            url: REQUEST,
            payload: body({ client_secret: secret }),
          });
          assert.equal(res.statusCode, 400, JSON.stringify(secret));
          assert.deepEqual(res.json(), badSecret);
        }
        const both = await s.app.inject({
          method: "POST",
          url: REQUEST,
          payload: body({ client_secret: "a b", send_attempt: "x" }),
        });
        assert.equal(
          both.json().error,
          "send_attempt should be an integer (got x",
          "send_attempt comes first",
        );
        const longest = await s.app.inject({
          method: "POST",
          url: REQUEST,
          payload: body({ client_secret: "s".repeat(255) }),
        });
        assert.equal(longest.statusCode, 200);
        const badEmail = { errcode: "M_INVALID_PARAM", error: "Invalid email provided" };
        for (const email of ["", `${"a".repeat(495)}@x.org`, 5]) {
          const res = await s.app.inject({ method: "POST", url: REQUEST, payload: body({ email }) });
          assert.equal(res.statusCode, 400);
          assert.deepEqual(res.json(), badEmail);
        }
        const max = await s.app.inject({
          method: "POST",
          url: REQUEST,
          payload: body({ email: `${"é".repeat(494)}@x.org` }),
        });
        assert.equal(max.statusCode, 200, "500 characters (not bytes) are fine");
      });
    });

    test("a refused address is 400 M_INVALID_EMAIL; an SMTP failure 500 M_EMAIL_SEND_ERROR; the session stays", async () => {
      await withApp(engine, async (s) => {
        const mailer = s.mailer as RecordingMailer;
        mailer.refusedAddress();
        const refused = await s.app.inject({
          method: "POST",
          url: REQUEST,
          payload: body({ email: "a@b@c" }),
        });
        assert.equal(refused.statusCode, 400);
        assert.deepEqual(refused.json(), { errcode: "M_INVALID_EMAIL", error: "Invalid email address" });

        mailer.smtpFailure();
        const failed = await s.app.inject({ method: "POST", url: REQUEST, payload: body() });
        assert.equal(failed.statusCode, 500);
        assert.deepEqual(failed.json(), { errcode: "M_EMAIL_SEND_ERROR", error: "Failed to send email" });
        const session = await s.deps.store.sessions.find("email", "Alice.Smith@Example.ORG", "secret-1");
        assert.equal(session?.sendAttemptNumber, -1, "nothing was sent");
        const retry = await s.app.inject({ method: "POST", url: REQUEST, payload: body() });
        assert.equal(retry.json().sid, String(session?.sid));
        assert.equal(mails(s).length, 1);
        assert.equal(mails(s)[0]?.vars.token, session?.token);
      });
    });

    test("missing arguments and unreadable bodies", async () => {
      await withApp(engine, async (s) => {
        const missing = await s.app.inject({ method: "POST", url: REQUEST, payload: { email: "a@b.c" } });
        assert.deepEqual(missing.json(), {
          errcode: "M_MISSING_PARAMS",
          error: "Missing parameters: client_secret,send_attempt",
        });
        const notUtf8 = await s.app.inject({
          method: "POST",
          url: REQUEST,
          headers: { "content-type": "application/json" },
          payload: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]),
        });
        assert.equal(notUtf8.statusCode, 400);
        assert.equal(notUtf8.json().errcode, "M_BAD_JSON");
        const badQuery = await s.app.inject({
          method: "POST",
          url: `${REQUEST}?email=%ff&client_secret=a&send_attempt=1`,
        });
        assert.equal(badQuery.statusCode, 400);
        assert.equal(badQuery.json().errcode, "M_INVALID_PARAM");
        const huge = await s.app.inject({
          method: "POST",
          url: REQUEST,
          payload: body({ next_link: `https://x.org/${"a".repeat(600 * 1024)}` }),
        });
        assert.equal(huge.statusCode, 413);
        assert.equal(huge.json().errcode, "M_TOO_LARGE");
        assert.equal(mails(s).length, 0);
      });
    });
  });

  describe(`${engine}: email rate limits`, () => {
    test("v1 counts per client IP, malformed requests included; 429 M_LIMIT_EXCEEDED with retry info", async () => {
      await withApp(
        engine,
        async (s) => {
          for (let i = 0; i < 2; i++) {
            const res = await s.app.inject({ method: "POST", url: REQUEST, payload: { nothing: i } });
            assert.equal(res.statusCode, 400);
          }
          const limited = await s.app.inject({ method: "POST", url: REQUEST, payload: body() });
          assert.equal(limited.statusCode, 429);
          assert.deepEqual(limited.json(), {
            errcode: "M_LIMIT_EXCEEDED",
            error: "Too many requests",
            retry_after_ms: 300_000,
          });
          assert.equal(limited.headers["retry-after"], "300");
          const badJson = await s.app.inject({
            method: "POST",
            url: REQUEST,
            headers: { "content-type": "application/json" },
            payload: "{",
          });
          assert.equal(badJson.statusCode, 429, "even unreadable requests are counted first");
          const elsewhere = await s.app.inject({
            method: "POST",
            url: REQUEST,
            payload: body(),
            remoteAddress: "10.0.0.2",
          });
          assert.equal(elsewhere.statusCode, 200);
          s.deps.clock.advance(300_000);
          const later = await s.app.inject({ method: "POST", url: REQUEST, payload: body() });
          assert.equal(later.statusCode, 200);
        },
        { email: { "email.ratelimit_sender.burst": 2 } },
      );
    });

    test("with obey_x_forwarded_for the first X-Forwarded-For line is the client, verbatim", async () => {
      await withApp(
        engine,
        async (s) => {
          const xff = (value: string) => ({ "x-forwarded-for": value });
          const first = await s.app.inject({
            method: "POST",
            url: REQUEST,
            payload: body(),
            headers: xff("192.0.2.1, 10.0.0.1"),
          });
          assert.equal(first.statusCode, 200);
          assert.equal(mails(s)[0]?.vars.ipaddress, "192.0.2.1, 10.0.0.1");
          const same = await s.app.inject({
            method: "POST",
            url: REQUEST,
            payload: body(),
            headers: xff("192.0.2.1, 10.0.0.1"),
          });
          assert.equal(same.statusCode, 429);
          const other = await s.app.inject({
            method: "POST",
            url: REQUEST,
            payload: body(),
            headers: xff("192.0.2.2"),
          });
          assert.equal(other.statusCode, 200);
        },
        { http: { obey_x_forwarded_for: true }, email: { "email.ratelimit_sender.burst": 1 } },
      );
    });

    test("with trusted_proxies, the address the proxy saw is the client", async () => {
      await withApp(
        engine,
        async (s) => {
          const res = await s.app.inject({
            method: "POST",
            url: REQUEST,
            payload: body(),
            headers: { "x-forwarded-for": "203.0.113.66, 192.0.2.1" },
          });
          assert.equal(res.statusCode, 200);
          assert.equal(mails(s)[0]?.vars.ipaddress, "192.0.2.1");
        },
        { http: { obey_x_forwarded_for: true, trusted_proxies: "127.0.0.1" } },
      );
    });

    test("without obey_x_forwarded_for the header is ignored", async () => {
      await withApp(
        engine,
        async (s) => {
          await s.app.inject({
            method: "POST",
            url: REQUEST,
            payload: body(),
            headers: { "x-forwarded-for": "192.0.2.1" },
          });
          assert.equal(mails(s)[0]?.vars.ipaddress, "127.0.0.1");
          const res = await s.app.inject({
            method: "POST",
            url: REQUEST,
            payload: body(),
            headers: { "x-forwarded-for": "192.0.2.9" },
          });
          assert.equal(res.statusCode, 429);
        },
        { email: { "email.ratelimit_sender.burst": 1 } },
      );
    });
  });

  describe(`${engine}: v2 email endpoints`, () => {
    test("need the bearer token; the limit is per user, not per address", async () => {
      await withApp(
        engine,
        async (s) => {
          const url = `${V2}/validate/email/requestToken`;
          const none = await s.app.inject({ method: "POST", url, payload: body() });
          assert.equal(none.statusCode, 401);
          assert.deepEqual(none.json(), { errcode: "M_UNAUTHORIZED", error: "Unauthorized" });
          const wrong = await s.app.inject({
            method: "POST",
            url,
            payload: body(),
            headers: { authorization: "Bearer nope" },
          });
          assert.equal(wrong.statusCode, 401);
          const auth = { authorization: `Bearer ${USER_TOKEN}` };
          const ok = await s.app.inject({ method: "POST", url, payload: body(), headers: auth });
          assert.equal(ok.statusCode, 200);
          const inBody = await s.app.inject({
            method: "POST",
            url,
            payload: body({ access_token: USER_TOKEN }),
            remoteAddress: "10.9.9.9",
          });
          assert.equal(inBody.statusCode, 429, "same user from another address: limited");
          const unreadable = await s.app.inject({
            method: "POST",
            url,
            headers: { ...auth, "content-type": "application/json" },
            payload: "{",
          });
          assert.equal(unreadable.statusCode, 429, "with a bearer header the limit comes before the body");
          const noHeader = await s.app.inject({
            method: "POST",
            url,
            headers: { "content-type": "application/json" },
            payload: "{",
          });
          assert.equal(
            noHeader.json().errcode,
            "M_BAD_JSON",
            "without one the token is looked for in the body first",
          );
          const sid = ok.json().sid;
          const token = mails(s)[0]!.vars.token;
          const submit = `${V2}/validate/email/submitToken`;
          const unauth = await s.app.inject({
            method: "POST",
            url: submit,
            payload: { sid, client_secret: "secret-1", token },
          });
          assert.equal(unauth.statusCode, 401);
          const done = await s.app.inject({
            method: "POST",
            url: submit,
            payload: { sid, client_secret: "secret-1", token },
            headers: auth,
          });
          assert.deepEqual(done.json(), { success: true });
        },
        { email: { "email.ratelimit_sender.burst": 1 } },
      );
    });
  });
}
