// Phone validation end to end: the configured OpenMarket sender posting to a real HTTP server that
// stands in for OpenMarket; the code is read from what it received. Provider failures give 500
// M_UNKNOWN quickly and keep the session.
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { engines } from "../../../test/deps.js";
import { readFixtureJson } from "../../../test/fixtures.js";
import { startHttpServer, type ScriptedAnswer } from "../../../test/http-server.js";
import { sessionApp, V1, type SessionApp } from "../../../test/sessions.js";
import { directFetch, type HttpFetch } from "../../senders/sms/http.js";

const REQUEST = `${V1}/validate/msisdn/requestToken`;

interface SydentSms {
  authorization: string;
  content_type: string;
  body: { mobileTerminate: { message: { content: string } } };
}

/** What Sydent posted for alice's phone (fixtures current/sms-requests.json). */
const sydentAlice = (readFixtureJson("current", "sms-requests.json") as SydentSms[])[0]!;

/** directFetch, giving up after `ms`. */
const impatientFetch = (ms: number): HttpFetch => {
  const direct = directFetch();
  return (url, init) =>
    direct(url, { ...init, signal: AbortSignal.any([init.signal, AbortSignal.timeout(ms)]) });
};

const json = (res: { json(): unknown }) => res.json() as Record<string, unknown>;

for (const engine of engines()) {
  describe(`${engine}: phone validation through a stand-in OpenMarket`, () => {
    const cleanups: (() => Promise<void>)[] = [];
    after(async () => {
      for (const c of cleanups.reverse()) await c();
    });

    async function setup(answer: ScriptedAnswer | "hang", fetch: HttpFetch = directFetch()) {
      const provider = await startHttpServer(() => answer);
      cleanups.push(() => provider.close());
      const s = await sessionApp({
        engine,
        conf: { sms: { "openmarket.base_url": `${provider.base}/sms/v4/mt` } },
        sms: "real",
        fetch,
      });
      cleanups.push(() => s.close());
      return { provider, s };
    }

    test("OpenMarket receives Sydent's exact request; the code validates; getValidated3pid", async () => {
      const { provider, s } = await setup({ status: 202, headers: { Location: "/sms/v4/mt/ticket-1" } });
      const res = await s.app.inject({
        method: "POST",
        url: REQUEST,
        payload: { phone_number: "07700 900461", country: "GB", client_secret: "alice-1", send_attempt: 1 },
      });
      assert.equal(res.statusCode, 200, res.body);
      const { sid } = json(res);
      assert.deepEqual(json(res), {
        success: true,
        sid,
        msisdn: "447700900461",
        intl_fmt: "+44 7700 900461",
      });

      assert.equal(provider.requests.length, 1);
      const sent = provider.requests[0]!;
      assert.equal(sent.method, "POST");
      assert.equal(sent.url, "/sms/v4/mt");
      assert.equal(sent.headers.authorization, sydentAlice.authorization);
      assert.equal(sent.headers["content-type"], sydentAlice.content_type);
      const body = JSON.parse(sent.body) as SydentSms["body"];
      const token = /^Your code is ([0-9]{6})$/.exec(body.mobileTerminate.message.content)?.[1];
      assert.ok(token, sent.body);
      const expected = structuredClone(sydentAlice.body);
      expected.mobileTerminate.message.content = `Your code is ${token}`;
      assert.deepEqual(body, expected);

      const submit = await s.app.inject({
        method: "POST",
        url: `${V1}/validate/msisdn/submitToken`,
        payload: { sid, client_secret: "alice-1", token },
      });
      assert.deepEqual(json(submit), { success: true });
      const got = await s.app.inject({ url: `${V1}/3pid/getValidated3pid?sid=${sid}&client_secret=alice-1` });
      assert.deepEqual(json(got), {
        medium: "msisdn",
        address: "447700900461",
        validated_at: s.deps.clock.now(),
      });
    });

    async function assertSendFails(s: SessionApp) {
      const started = Date.now();
      const res = await s.app.inject({
        method: "POST",
        url: REQUEST,
        payload: {
          phone_number: "+44 7700 900982",
          country: "GB",
          client_secret: "frank-1",
          send_attempt: 1,
        },
      });
      assert.equal(res.statusCode, 500);
      assert.deepEqual(json(res), { errcode: "M_UNKNOWN", error: "Internal Server Error" });
      assert.ok(Date.now() - started < 5000, "no hang");
      const session = await s.deps.store.sessions.find("msisdn", "447700900982", "frank-1");
      assert.ok(session, "the session stays");
      assert.equal(session.sendAttemptNumber, -1);
    }

    test("OpenMarket answering 400: 500 M_UNKNOWN (as Sydent's tests pin)", async () => {
      const { s } = await setup({
        status: 400,
        headers: { "content-type": "application/json" },
        body: '{"error": {"code": 400, "description": "bad number"}}',
      });
      await assertSendFails(s);
    });

    test("OpenMarket answering 503: 500 M_UNKNOWN", async () => {
      const { s } = await setup({ status: 503, body: "down" });
      await assertSendFails(s);
    });

    test("OpenMarket never answering: 500 M_UNKNOWN once the request times out", async () => {
      const { s } = await setup("hang", impatientFetch(300));
      await assertSendFails(s);
    });
  });
}
