import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { engines, type IniSections } from "../../../test/deps.js";
import {
  sessionApp,
  USER_TOKEN,
  V1,
  V2,
  type RecordingSms,
  type SessionApp,
} from "../../../test/sessions.js";
import { SESSION_LIFETIME_MS } from "../../domain/sessions.js";

const REQUEST = `${V1}/validate/msisdn/requestToken`;
const SUBMIT = `${V1}/validate/msisdn/submitToken`;
const body = (extra: Record<string, unknown> = {}) => ({
  phone_number: "07700 900461",
  country: "GB",
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

const texts = (s: SessionApp) => (s.sms as RecordingSms).sent;

for (const engine of engines()) {
  describe(`${engine}: msisdn requestToken`, () => {
    test("texts a 6-digit code and answers Sydent's shape (JSON or query string)", async () => {
      await withApp(engine, async (s) => {
        const res = await s.app.inject({ method: "POST", url: REQUEST, payload: body() });
        assert.equal(res.statusCode, 200);
        const { sid, ...rest } = res.json();
        assert.match(sid, /^[0-9]+$/);
        assert.deepEqual(rest, { success: true, msisdn: "447700900461", intl_fmt: "+44 7700 900461" });
        assert.equal(texts(s).length, 1);
        const sms = texts(s)[0]!;
        assert.equal(sms.msisdn, "447700900461");
        assert.equal(sms.countryCode, "44");
        assert.match(sms.body, /^Your code is [0-9]{6}$/);
        const session = await s.deps.store.sessions.getWithToken(Number(sid));
        assert.equal(session?.address, "447700900461");
        assert.equal(sms.body, `Your code is ${session?.token}`);

        const query = new URLSearchParams({
          phone_number: "+1 202 555 0101",
          country: "US",
          client_secret: "q",
          send_attempt: "1",
        });
        const viaQuery = await s.app.inject({ method: "POST", url: `${REQUEST}?${query}` });
        assert.equal(viaQuery.statusCode, 200);
        assert.equal(viaQuery.json().intl_fmt, "+1 202-555-0101");
      });
    });

    test("the body template, re-sending and reuse", async () => {
      await withApp(
        engine,
        async (s) => {
          const sids = [];
          for (const attempt of [1, 1, -1]) {
            sids.push(
              (
                await s.app.inject({ method: "POST", url: REQUEST, payload: body({ send_attempt: attempt }) })
              ).json().sid,
            );
          }
          assert.equal(new Set(sids).size, 1);
          assert.equal(texts(s).length, 2);
          assert.match(texts(s)[0]!.body, /^\{Code\}: [0-9]{6} \{token\}$/);
        },
        { sms: { bodyTemplate: "{{Code}}: {token} {{token}}" } },
      );
    });

    test("bad numbers, secrets and send attempts", async () => {
      await withApp(engine, async (s) => {
        const invalid = { errcode: "M_INVALID_PHONE_NUMBER", error: "Invalid phone number" };
        for (const change of [
          { phone_number: "abc" },
          { country: "gb" },
          { country: "XX" },
          { phone_number: 7700 },
        ]) {
          const res = await s.app.inject({ method: "POST", url: REQUEST, payload: body(change) });
          assert.equal(res.statusCode, 400, JSON.stringify(change));
          assert.deepEqual(res.json(), invalid);
        }
        const plus = await s.app.inject({
          method: "POST",
          url: REQUEST,
          payload: body({ phone_number: "+44 7700 900461", country: "gb" }),
        });
        assert.equal(plus.statusCode, 200, "with + the region does not matter");
        const short = await s.app.inject({
          method: "POST",
          url: REQUEST,
          payload: body({ phone_number: "123" }),
        });
        assert.equal(short.json().msisdn, "44123", "parsable is enough");
        const secret = await s.app.inject({
          method: "POST",
          url: REQUEST,
          payload: body({ client_secret: "x".repeat(256) }),
        });
        assert.deepEqual(secret.json(), {
          errcode: "M_INVALID_PARAM",
          error: "Invalid client_secret provided",
        });
        const attempt = await s.app.inject({
          method: "POST",
          url: REQUEST,
          payload: body({ send_attempt: "one" }),
        });
        assert.equal(attempt.json().error, "send_attempt should be an integer (got one");
        const missing = await s.app.inject({ method: "POST", url: REQUEST, payload: {} });
        assert.equal(
          missing.json().error,
          "Missing parameters: phone_number,country,client_secret,send_attempt",
        );
      });
    });

    test("smsrule reject: 400 M_DESTINATION_REJECTED, nothing sent, no session", async () => {
      await withApp(
        engine,
        async (s) => {
          const res = await s.app.inject({ method: "POST", url: REQUEST, payload: body() });
          assert.equal(res.statusCode, 400);
          assert.deepEqual(res.json(), {
            errcode: "M_DESTINATION_REJECTED",
            error: "Phone numbers in this country are not currently supported",
          });
          assert.equal(texts(s).length, 0);
          assert.equal(await s.deps.store.sessions.find("msisdn", "447700900461", "secret-1"), undefined);
          const us = await s.app.inject({
            method: "POST",
            url: REQUEST,
            payload: body({ phone_number: "+1 202 555 0101" }),
          });
          assert.equal(us.statusCode, 200, "smsrule.1 = allow");
        },
        { sms: { "smsrule.44": "reject", "smsrule.1": "allow" } },
      );
    });

    test("a provider failure is 500 M_UNKNOWN; the session stays and the next request sends", async () => {
      await withApp(engine, async (s) => {
        (s.sms as RecordingSms).failures = 1;
        const res = await s.app.inject({ method: "POST", url: REQUEST, payload: body() });
        assert.equal(res.statusCode, 500);
        assert.deepEqual(res.json(), { errcode: "M_UNKNOWN", error: "Internal Server Error" });
        const session = await s.deps.store.sessions.find("msisdn", "447700900461", "secret-1");
        assert.equal(session?.sendAttemptNumber, -1);
        const retry = await s.app.inject({ method: "POST", url: REQUEST, payload: body() });
        assert.equal(retry.json().sid, String(session?.sid));
        assert.equal(texts(s).length, 1);
      });
    });

    test("per-number then per-country limits: 429 M_LIMIT_EXCEEDED", async () => {
      await withApp(
        engine,
        async (s) => {
          const number = (n: number) => body({ phone_number: `07700 90046${n}` });
          assert.equal(
            (await s.app.inject({ method: "POST", url: REQUEST, payload: number(1) })).statusCode,
            200,
          );
          const again = await s.app.inject({ method: "POST", url: REQUEST, payload: number(1) });
          assert.equal(again.statusCode, 429);
          assert.deepEqual(again.json(), {
            errcode: "M_LIMIT_EXCEEDED",
            error: "Limit exceeded for this number",
            retry_after_ms: 3_600_000,
          });
          assert.equal(
            (await s.app.inject({ method: "POST", url: REQUEST, payload: number(2) })).statusCode,
            200,
          );
          const country = await s.app.inject({ method: "POST", url: REQUEST, payload: number(3) });
          assert.equal(country.statusCode, 429);
          assert.equal(country.json().error, "Limit exceeded for this country");
          assert.equal(country.headers["retry-after"], "60");
          const us = await s.app.inject({
            method: "POST",
            url: REQUEST,
            payload: body({ phone_number: "+1 202 555 0101" }),
          });
          assert.equal(us.statusCode, 200);
          assert.equal(texts(s).length, 3);
        },
        { sms: { "msisdn.ratelimit.burst": 1, "country.ratelimit.burst": 2 } },
      );
    });

    test("v2 needs the bearer token", async () => {
      await withApp(engine, async (s) => {
        const url = `${V2}/validate/msisdn/requestToken`;
        assert.equal((await s.app.inject({ method: "POST", url, payload: body() })).statusCode, 401);
        const ok = await s.app.inject({
          method: "POST",
          url,
          payload: body(),
          headers: { authorization: `Bearer ${USER_TOKEN}` },
        });
        assert.equal(ok.statusCode, 200);
      });
    });
  });

  describe(`${engine}: msisdn submitToken`, () => {
    test("POST: Sydent's status codes, M_TOKEN_INCORRECT for a wrong token", async () => {
      await withApp(engine, async (s) => {
        const { sid } = (await s.app.inject({ method: "POST", url: REQUEST, payload: body() })).json();
        const token = texts(s)[0]!.body.slice(-6);
        const submit = (change: Record<string, unknown>) =>
          s.app.inject({
            method: "POST",
            url: SUBMIT,
            payload: { sid, token, client_secret: "secret-1", ...change },
          });
        const cases: [Record<string, unknown>, number, Record<string, unknown>][] = [
          [
            { client_secret: "a b" },
            400,
            { errcode: "M_INVALID_PARAM", error: "Invalid client_secret provided" },
          ],
          [
            { client_secret: "other" },
            400,
            {
              errcode: "M_INVALID_PARAM",
              error: "Client secret does not match the one given when requesting the token",
              success: false,
            },
          ],
          [
            { sid: "1" },
            400,
            { errcode: "M_INVALID_PARAM", error: "The token doesn't match", success: false },
          ],
          [
            { token: token === "000000" ? "111111" : "000000" },
            400,
            { errcode: "M_TOKEN_INCORRECT", error: "The token is incorrect", success: false },
          ],
        ];
        for (const [change, status, answer] of cases) {
          const res = await submit(change);
          assert.equal(res.statusCode, status, JSON.stringify(change));
          assert.deepEqual(res.json(), answer);
        }
        assert.deepEqual((await submit({})).json(), { success: true });
        s.deps.clock.advance(SESSION_LIFETIME_MS + 1);
        const expired = await submit({});
        assert.equal(expired.statusCode, 400);
        assert.deepEqual(expired.json(), {
          errcode: "M_SESSION_EXPIRED",
          error: "This validation session has expired: call requestToken again",
          success: false,
        });
      });
    });

    test("GET: the page, a redirect only to the session's own next_link, 400 on failure", async () => {
      await withApp(engine, async (s) => {
        const res = await s.app.inject({
          method: "POST",
          url: REQUEST,
          payload: body({ next_link: "https://app.example.org/done" }),
        });
        const { sid } = res.json();
        const token = texts(s)[0]!.body.slice(-6);
        const get = (query: Record<string, string>) =>
          s.app.inject({ url: `${SUBMIT}?${new URLSearchParams(query)}` });
        const success = "Verification successful! Please return to your Matrix client to continue.";
        const invalid = await get({ sid, token });
        assert.equal(invalid.statusCode, 400);
        assert.equal(invalid.body, "-|Verification failed: Your request was invalid.");
        const wrong = await get({ sid, client_secret: "secret-1", token: "x" });
        assert.equal(wrong.statusCode, 400);
        assert.equal(wrong.body, "-|Verification failed: you may need to request another verification text");
        const plain = await get({ sid, client_secret: "secret-1", token, brand: "b" });
        assert.equal(plain.statusCode, 200);
        assert.equal(plain.body, `b|${success}`);
        const redirect = await get({
          sid,
          client_secret: "secret-1",
          token,
          next_link: "https://app.example.org/done",
        });
        assert.equal(redirect.statusCode, 302);
        assert.equal(redirect.headers.location, "https://app.example.org/done");
        const elsewhere = await get({
          sid,
          client_secret: "secret-1",
          token,
          next_link: "https://evil.example/",
        });
        assert.equal(elsewhere.statusCode, 200);
        assert.equal(elsewhere.headers.location, undefined);
      });
    });
  });
}
