// Twilio's Messages API against a real HTTP server standing in for it, and provider selection.
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { testConfig } from "../../../test/deps.js";
import { startHttpServer, type ScriptedAnswer, type TestHttpServer } from "../../../test/http-server.js";
import { SmsSendError } from "../types.js";
import { directFetch, type HttpFetch } from "./http.js";
import { createSmsSender } from "./index.js";
import { twilioSender, type TwilioOptions } from "./twilio.js";

const servers: TestHttpServer[] = [];
after(() => Promise.all(servers.map((s) => s.close())));

async function provider(answer: () => ScriptedAnswer | "hang") {
  const server = await startHttpServer(answer);
  servers.push(server);
  return server;
}

const sender = (server: TestHttpServer, extra: Partial<TwilioOptions> = {}) =>
  twilioSender({
    baseUrl: `${server.base}/`,
    accountSid: "AC0123",
    authToken: "tok en",
    from: "+15005550006",
    fetch: directFetch(),
    ...extra,
  });

const REQUEST = { msisdn: "447700900461", countryCode: "44", body: "Your code is 501939 & more" };

async function refused(promise: Promise<void>, pattern: RegExp) {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof SmsSendError, String(err));
    assert.match(err.message, pattern);
    return true;
  });
}

describe("Twilio", () => {
  test("POSTs the form to the account's Messages resource with Basic sid:token", async () => {
    const server = await provider(() => ({
      status: 201,
      body: JSON.stringify({ sid: "SM1", status: "queued" }),
    }));
    const logged: unknown[] = [];
    await sender(server, { log: { info: (o: unknown) => logged.push(o) } as TwilioOptions["log"] }).send(
      REQUEST,
    );
    const [req] = server.requests;
    assert.ok(req);
    assert.equal(req.method, "POST");
    assert.equal(req.url, "/2010-04-01/Accounts/AC0123/Messages.json");
    assert.equal(req.headers.authorization, `Basic ${Buffer.from("AC0123:tok en").toString("base64")}`);
    assert.equal(req.headers["content-type"], "application/x-www-form-urlencoded");
    assert.equal(req.body, "To=%2B447700900461&From=%2B15005550006&Body=Your+code+is+501939+%26+more");
    assert.deepEqual(Object.fromEntries(new URLSearchParams(req.body)), {
      To: "+447700900461",
      From: "+15005550006",
      Body: "Your code is 501939 & more",
    });
    assert.deepEqual(logged, [{ sid: "SM1" }]);
  });

  test("a 4xx is a send error with Twilio's code and message, without the number", async () => {
    const server = await provider(() => ({
      status: 400,
      body: JSON.stringify({
        code: 21211,
        message: "The 'To' number +447700900461 is not valid.",
        status: 400,
      }),
    }));
    await refused(
      sender(server).send(REQUEST),
      /^Twilio answered 400: 21211 The 'To' number \+<number> is not valid\.$/,
    );
  });

  test("a 5xx is a send error", async () => {
    const server = await provider(() => ({ status: 500, body: "oops" }));
    await refused(sender(server).send(REQUEST), /^Twilio answered 500$/);
  });

  test("a provider that never answers is a send error after the timeout", async () => {
    const server = await provider(() => "hang");
    const started = performance.now();
    await refused(sender(server, { timeoutMs: 300 }).send(REQUEST), /no answer within 300 ms/);
    assert.ok(performance.now() - started < 3000);
  });
});

describe("createSmsSender", () => {
  test("picks the configured provider and sends through the fetch it is given", async () => {
    const server = await provider(() => ({ status: 201, body: "{}" }));
    const config = await testConfig({
      sms: {
        provider: "twilio",
        "twilio.account_sid": "AC9",
        "twilio.auth_token": "t",
        "twilio.from": "Cairn",
        "twilio.base_url": server.base,
      },
    });
    const seen: string[] = [];
    const fetch = directFetch();
    const recording: HttpFetch = (url, init) => {
      seen.push(url);
      return fetch(url, init);
    };
    await createSmsSender(config.sms, { fetch: recording }).send(REQUEST);
    assert.deepEqual(seen, [`${server.base}/2010-04-01/Accounts/AC9/Messages.json`]);
    assert.equal(server.requests.length, 1);
  });

  test("OpenMarket by default, at openmarket.base_url", async () => {
    const server = await provider(() => ({ status: 202 }));
    const config = await testConfig({ sms: { "openmarket.base_url": `${server.base}/mt` } });
    await createSmsSender(config.sms, { fetch: directFetch() }).send(REQUEST);
    assert.equal(server.requests[0]?.url, "/mt");
    assert.equal(server.requests[0]?.headers["content-type"], "application/json");
  });
});
