// OpenMarket as Sydent speaks it, against a real HTTP server standing in for the API.
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { readFixtureJson } from "../../../test/fixtures.js";
import { startHttpServer, type ScriptedAnswer, type TestHttpServer } from "../../../test/http-server.js";
import { SmsSendError } from "../types.js";
import { directFetch } from "./http.js";
import { openMarketSender, pickOriginator, type OpenMarketOptions } from "./openmarket.js";

interface FixtureRequest {
  method: string;
  path: string;
  authorization: string;
  content_type: string;
  body: { mobileTerminate: { message: { content: string }; destination: { address: string } } };
  ticket: string;
}

const servers: TestHttpServer[] = [];
after(() => Promise.all(servers.map((s) => s.close())));

async function provider(answer: (n: number) => ScriptedAnswer | "hang" = () => ({ status: 202 })) {
  let n = 0;
  const server = await startHttpServer(() => answer(n++));
  servers.push(server);
  return server;
}

function sender(server: TestHttpServer, extra: Partial<OpenMarketOptions> = {}) {
  const logged: unknown[] = [];
  const sms = openMarketSender({
    url: `${server.base}/sms/v4/mt`,
    username: "",
    password: "",
    originators: {},
    fetch: directFetch(),
    log: { info: (obj: unknown) => logged.push(obj) } as OpenMarketOptions["log"],
    ...extra,
  });
  return { sms, logged };
}

async function refused(promise: Promise<void>, pattern: RegExp) {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof SmsSendError, String(err));
    assert.match(err.message, pattern);
    return true;
  });
}

describe("OpenMarket", () => {
  test("sends what Sydent sent (current/sms-requests.json): path, headers, JSON byte for byte", async () => {
    const recorded = readFixtureJson("current", "sms-requests.json") as FixtureRequest[];
    const server = await provider((n) => ({
      status: 202,
      headers: {
        Location: `https://smsc.example/sms/v4/mt/${recorded[n]?.ticket}`,
        "X-Request-Id": `req-${n}`,
      },
    }));
    const { sms, logged } = sender(server);
    for (const r of recorded) {
      const msisdn = r.body.mobileTerminate.destination.address;
      const countryCode = msisdn.startsWith("44") ? "44" : "1";
      await sms.send({ msisdn, countryCode, body: r.body.mobileTerminate.message.content });
    }
    assert.equal(server.requests.length, recorded.length);
    server.requests.forEach((got, i) => {
      const want = recorded[i];
      assert.ok(want);
      assert.equal(got.method, want.method);
      assert.equal(got.url, want.path);
      assert.equal(got.headers.authorization, want.authorization);
      assert.equal(got.headers["content-type"], want.content_type);
      // Python's json.dumps spacing and key order, as Sydent's HTTP client sent it.
      assert.equal(got.body, JSON.stringify(want.body).replace(/([,:])(?=["{\d])/g, "$1 "));
      assert.deepEqual(JSON.parse(got.body), want.body);
    });
    assert.deepEqual(logged, [
      { ticket: "fixture-ticket-0001", requestId: "req-0" },
      { ticket: "fixture-ticket-0002", requestId: "req-1" },
      { ticket: "fixture-ticket-0003", requestId: "req-2" },
    ]);
  });

  test("credentials as HTTP Basic (UTF-8); the body is ASCII JSON", async () => {
    const server = await provider();
    await sender(server, { username: "user", password: "pä:ss" }).sms.send({
      msisdn: "447700900461",
      countryCode: "44",
      body: "Código 1",
    });
    const [req] = server.requests;
    assert.equal(req?.headers.authorization, `Basic ${Buffer.from("user:pä:ss").toString("base64")}`);
    assert.ok(req?.body.includes('"content": "C\\u00f3digo 1"'));
  });

  test("the sender: the country's list, else default, else Matrix; digit sum picks; TON by type", async () => {
    const originators = {
      "44": [
        { type: "long", text: "447700900000" },
        { type: "short", text: "12345" },
        { type: "alpha", text: "Example" },
      ],
      default: [{ type: "short", text: "999" }],
    } as const;
    // 447700900461: digit sum 4+4+7+7+9+4+6+1 = 42, 42 % 3 = 0; 447700900462: 43 % 3 = 1.
    assert.deepEqual(pickOriginator(originators, "44", "447700900461"), originators["44"][0]);
    assert.deepEqual(pickOriginator(originators, "44", "447700900462"), originators["44"][1]);
    assert.deepEqual(pickOriginator(originators, "44", "447700900463"), originators["44"][2]);
    assert.deepEqual(pickOriginator(originators, "1", "14155550132"), { type: "short", text: "999" });
    assert.deepEqual(pickOriginator({}, "1", "14155550132"), { type: "alpha", text: "Matrix" });

    const server = await provider();
    const { sms } = sender(server, { originators });
    for (const msisdn of ["447700900461", "447700900462", "447700900463"]) {
      await sms.send({ msisdn, countryCode: "44", body: "x" });
    }
    const sources = server.requests.map(
      (r) => (JSON.parse(r.body) as { mobileTerminate: { source: unknown } }).mobileTerminate.source,
    );
    assert.deepEqual(sources, [
      { ton: 1, address: "447700900000" },
      { ton: 3, address: "12345" },
      { ton: 5, address: "Example" },
    ]);
  });

  test("any 2xx is success", async () => {
    const server = await provider(() => ({ status: 200 }));
    await sender(server).sms.send({ msisdn: "447700900461", countryCode: "44", body: "x" });
  });

  test("a 4xx is a send error carrying the provider's error text, without the number", async () => {
    const server = await provider(() => ({
      status: 400,
      headers: { "X-Request-Id": "r-1" },
      body: JSON.stringify({ error: { code: 113, description: "Invalid destination 447700900461" } }),
    }));
    await refused(
      sender(server).sms.send({ msisdn: "447700900461", countryCode: "44", body: "x" }),
      /^OpenMarket answered 400 \(request ID r-1\): \{"code":113,"description":"Invalid destination <number>"\}$/,
    );
  });

  test("a 5xx without JSON is a send error", async () => {
    const server = await provider(() => ({ status: 503, body: "<html>down</html>" }));
    await refused(
      sender(server).sms.send({ msisdn: "447700900461", countryCode: "44", body: "x" }),
      /^OpenMarket answered 503 \(request ID null\)$/,
    );
  });

  test("a provider that never answers is a send error after the timeout", async () => {
    const server = await provider(() => "hang");
    const started = performance.now();
    await refused(
      sender(server, { timeoutMs: 300 }).sms.send({ msisdn: "447700900461", countryCode: "44", body: "x" }),
      /no answer within 300 ms/,
    );
    assert.ok(performance.now() - started < 3000);
  });

  test("nothing listening is a send error", async () => {
    const server = await provider();
    await server.close();
    servers.splice(servers.indexOf(server), 1);
    await refused(
      sender(server).sms.send({ msisdn: "447700900461", countryCode: "44", body: "x" }),
      /request to .* failed: fetch failed: .*ECONNREFUSED/,
    );
  });
});
