// The deny-list fetch (used for .well-known and by SMS providers): full TLS checks, the deny-list
// on every hop, redirects only where they are safe, plain http: for local endpoints.
import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { federationFailure, loopbackClient, loopbackCa } from "../../test/federation.js";
import { fakeResolver, sendJson, startHttpsServer } from "../../test/https-server.js";
import type { TestHttpsServer } from "../../test/https-server.js";
import { selfSignedCert } from "../../test/tls.js";
import { createIpDenyList } from "./deny-list.js";
import { post } from "../senders/sms/http.js";
import { SmsSendError } from "../senders/types.js";
import { createDenyListFetch, fetchLike } from "./fetch.js";

describe("deny-list fetch", () => {
  let api: TestHttpsServer;
  let selfSigned: TestHttpsServer;
  let blocked: TestHttpsServer;
  const plain = createServer((req, res) => sendJson(res, 200, { plain: true, method: req.method }));

  before(async () => {
    api = await startHttpsServer(loopbackCa.issue({ dns: ["api.test", "other.test"] }), (req, res) => {
      if (req.url === "/loop") {
        res.writeHead(302, { location: "/loop" });
        res.end();
      } else if (req.url === "/to-http") {
        res.writeHead(301, { location: `http://api.test:${api.port}/` });
        res.end();
      } else if (req.url === "/to-blocked") {
        res.writeHead(307, { location: `https://blocked.test:${blocked.port}/` });
        res.end();
      } else if (req.url === "/moved") {
        res.writeHead(303, { location: "/landed" });
        res.end();
      } else
        sendJson(res, 200, {
          url: req.url,
          method: req.method,
          body: req.body,
          type: req.headers["content-type"],
        });
    });
    selfSigned = await startHttpsServer(selfSignedCert({ dns: ["selfsigned.test"] }), (_req, res) =>
      sendJson(res, 200, {}),
    );
    blocked = await startHttpsServer(
      loopbackCa.issue({ dns: ["blocked.test"] }),
      (_req, res) => sendJson(res, 200, {}),
      "127.0.0.2",
    );
    plain.listen(0, "127.0.0.1");
    await once(plain, "listening");
  });
  after(async () => {
    for (const server of [api, selfSigned, blocked]) await server.close();
    plain.close();
  });

  const resolver = fakeResolver({
    "api.test": ["127.0.0.1"],
    "wrongname.test": ["127.0.0.1"],
    "selfsigned.test": ["127.0.0.1"],
    "blocked.test": ["127.0.0.2"],
    "plain.test": ["127.0.0.1"],
  });
  const fetcher = () =>
    createDenyListFetch({
      resolver,
      denyList: createIpDenyList([], ["127.0.0.1/32"]),
      ca: [loopbackCa.cert],
      timeoutMs: 3000,
    });

  test("a POST with headers and a body, as an SMS provider sends it", async () => {
    const fetch = fetcher();
    const reply = await fetch(`https://api.test:${api.port}/sms/v4/mt`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Basic dTpw" },
      body: '{"a":1}',
    });
    assert.equal(reply.status, 200);
    assert.deepEqual(JSON.parse(reply.body.toString()), {
      url: "/sms/v4/mt",
      method: "POST",
      body: '{"a":1}',
      type: "application/json",
    });
    assert.equal(api.requests.at(-1)?.headers.authorization, "Basic dTpw");
    await fetch.close();
  });

  test("in fetch's shape, it serves the SMS providers' post(), deny-list included", async () => {
    const fetch = fetcher();
    const result = await post(
      fetchLike(fetch),
      "test",
      `https://api.test:${api.port}/sms`,
      { "x-a": "1" },
      "hi",
      3000,
    );
    assert.equal(result.status, 200);
    assert.equal(result.headers.get("Content-Type"), "application/json");
    assert.equal(result.headers.get("x-missing"), null);
    assert.deepEqual(JSON.parse(result.body), { url: "/sms", method: "POST", body: "hi" });
    await assert.rejects(
      post(fetchLike(fetch), "test", `https://blocked.test:${blocked.port}/`, {}, "", 3000),
      (err: unknown) => err instanceof SmsSendError && /blocked by the IP deny-list/.test(err.message),
    );
    assert.equal(blocked.accepts, 0);
    await fetch.close();
  });

  test("TLS is checked in full: chain and host name", async () => {
    const fetch = fetcher();
    assert.equal(
      await federationFailure(fetch(`https://wrongname.test:${api.port}/`), "tls"),
      `TLS: certificate of wrongname.test (127.0.0.1:${api.port}) is not valid for wrongname.test`,
    );
    assert.match(
      await federationFailure(fetch(`https://selfsigned.test:${selfSigned.port}/`), "tls"),
      /not trusted \(self-signed\)$/,
    );
    await fetch.close();
  });

  test("redirects: followed for GET (303 included), never to http: or a blocked host, at most 5", async () => {
    const fetch = fetcher();
    const landed = await fetch(`https://api.test:${api.port}/moved`, { followRedirects: true });
    assert.equal(landed.url, `https://api.test:${api.port}/landed`);
    assert.equal((await fetch(`https://api.test:${api.port}/moved`)).status, 303, "only when asked");
    assert.match(
      await federationFailure(
        fetch(`https://api.test:${api.port}/to-http`, { followRedirects: true }),
        "protocol",
      ),
      /which is not https:/,
    );
    assert.match(
      await federationFailure(
        fetch(`https://api.test:${api.port}/to-blocked`, { followRedirects: true }),
        "blocked",
      ),
      /127\.0\.0\.2/,
    );
    assert.equal(blocked.accepts, 0);
    assert.match(
      await federationFailure(
        fetch(`https://api.test:${api.port}/loop`, { followRedirects: true }),
        "protocol",
      ),
      /more than 5 redirects/,
    );
    await fetch.close();
  });

  test("plain http: works (local endpoints), through the same deny-list", async () => {
    const fetch = fetcher();
    const port = (plain.address() as AddressInfo).port;
    assert.deepEqual(JSON.parse((await fetch(`http://plain.test:${port}/`)).body.toString()), {
      plain: true,
      method: "GET",
    });
    const strict = createDenyListFetch({ resolver, denyList: createIpDenyList([], []) });
    await federationFailure(strict(`http://plain.test:${port}/`), "blocked");
    await fetch.close();
    await strict.close();
  });

  test(".well-known is checked in full even with federation.verifycerts = false", async () => {
    const c = loopbackClient({
      resolver: fakeResolver({ "selfsigned.test": ["127.0.0.1"] }),
      verifyCerts: false,
      httpsPort: selfSigned.port,
    });
    const errors: string[] = [];
    const target = await c.discovery.resolve("selfsigned.test", {
      trace: (s) => (s.step === "well_known" ? errors.push(s.result.error ?? "") : undefined),
    });
    assert.match(
      errors[0] ?? "",
      /^TLS: certificate of selfsigned\.test \(127\.0\.0\.1:\d+\) is not trusted \(self-signed\)$/,
    );
    assert.equal(target.host, "selfsigned.test");
    await c.close();
  });
});
