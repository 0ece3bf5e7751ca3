import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { FIXTURE_NOW, GOLDEN_PUBLIC_KEY, testDeps, type TestDeps } from "../test/deps.js";
import { buildApp, CLIENT_BODY_LIMIT } from "./app.js";

let deps: TestDeps;
let noV1: TestDeps;
before(async () => {
  deps = await testDeps();
  noV1 = await testDeps({ conf: { general: { enable_v1_access: false } } });
  await deps.store.invites.add({
    medium: "email",
    address: "a@example.org",
    roomId: "!r:example.org",
    sender: "@s:example.org",
    token: "t",
    ephemeralPublicKey: "ephemeral",
    receivedTs: 1,
    expiresAt: FIXTURE_NOW + 1000,
  });
});
after(async () => {
  await deps.cleanup();
  await noV1.cleanup();
});

const app = (enableV1 = true) => buildApp(enableV1 ? deps : noV1);

const v1 = "/_matrix/identity/api/v1";
const v2 = "/_matrix/identity/v2";

describe("status, versions and public keys", () => {
  test("versions lists what Sydent lists", async () => {
    const res = await app().inject({ url: "/_matrix/identity/versions" });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers["content-type"]), /^application\/json/);
    assert.deepEqual(res.json().versions, [
      "r0.1.0",
      "r0.2.0",
      "r0.2.1",
      "r0.3.0",
      "v1.1",
      "v1.2",
      "v1.3",
      "v1.4",
      "v1.5",
    ]);
  });

  test("both status endpoints answer {}; with a trailing slash they are unknown", async () => {
    const a = app();
    for (const url of [v2, v1]) {
      const res = await a.inject({ url });
      assert.equal(res.statusCode, 200);
      assert.deepEqual(res.json(), {});
      const slash = await a.inject({ url: `${url}/` });
      assert.equal(slash.statusCode, 404);
      assert.equal(slash.json().errcode, "M_UNRECOGNIZED");
    }
  });

  test("the server key is served on both trees, also with the colon percent-encoded", async () => {
    const a = app();
    for (const url of [`${v1}/pubkey/ed25519:0`, `${v2}/pubkey/ed25519:0`, `${v2}/pubkey/ed25519%3A0`]) {
      const res = await a.inject({ url });
      assert.equal(res.statusCode, 200, url);
      assert.deepEqual(res.json(), { public_key: GOLDEN_PUBLIC_KEY });
    }
    assert.equal((await a.inject({ url: `${v2}/pubkey/ed25519:1` })).statusCode, 404);
  });

  test("isvalid compares exactly with the standard base64 form", async () => {
    const a = app();
    const valid = async (key: string, url = `${v2}/pubkey/isvalid`) =>
      (await a.inject({ url, query: { public_key: key } })).json().valid;
    assert.equal(await valid(GOLDEN_PUBLIC_KEY), true);
    assert.equal(await valid("A6EHv_POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg"), false);
    assert.equal(await valid("ephemeral", `${v1}/pubkey/ephemeral/isvalid`), true);
    assert.equal(await valid("other", `${v1}/pubkey/ephemeral/isvalid`), false);
  });

  test("with v1 access disabled the whole v1 tree is gone", async () => {
    const a = app(false);
    assert.equal((await a.inject({ url: v1 })).statusCode, 404);
    assert.equal((await a.inject({ url: `${v1}/pubkey/ed25519:0` })).statusCode, 404);
    assert.equal((await a.inject({ url: v2 })).statusCode, 200);
  });
});

describe("bad input gets a Matrix error", () => {
  test("unknown paths: 404 M_UNRECOGNIZED, whatever the method", async () => {
    const a = app();
    for (const method of ["GET", "POST", "DELETE", "PUT", "PATCH"] as const) {
      const res = await a.inject({ method, url: "/_matrix/identity/v2/nope" });
      assert.equal(res.statusCode, 404);
      assert.deepEqual(res.json(), { errcode: "M_UNRECOGNIZED", error: "Unrecognized request" });
    }
  });

  test("a known path with the wrong method: 405 M_UNRECOGNIZED with Allow", async () => {
    const res = await app().inject({ method: "POST", url: "/_matrix/identity/versions", payload: "{}" });
    assert.equal(res.statusCode, 405);
    assert.equal(res.json().errcode, "M_UNRECOGNIZED");
    assert.equal(res.headers.allow, "GET, HEAD");
  });

  test("preflight OPTIONS on a known path: 200, empty, with CORS", async () => {
    const res = await app().inject({ method: "OPTIONS", url: `${v2}/pubkey/isvalid` });
    assert.equal(res.statusCode, 200);
    assert.equal(res.body, "");
    assert.equal(res.headers["access-control-allow-origin"], "*");
    assert.equal(res.headers["access-control-allow-methods"], "GET, POST, PUT, DELETE, OPTIONS");
  });

  test("CORS headers are on errors too", async () => {
    const res = await app().inject({ url: "/nothing-here" });
    assert.equal(res.headers["access-control-allow-origin"], "*");
  });

  test("a malformed path is a 400 Matrix error, not a framework page", async () => {
    const res = await app().inject({ url: "/_matrix/identity/%zz" });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().errcode, "M_UNRECOGNIZED");
    assert.equal(res.headers["access-control-allow-origin"], "*");
  });

  test("missing and repeated query parameters: M_MISSING_PARAMS", async () => {
    const a = app();
    const missing = await a.inject({ url: `${v2}/pubkey/isvalid` });
    assert.equal(missing.statusCode, 400);
    assert.deepEqual(missing.json(), {
      errcode: "M_MISSING_PARAMS",
      error: "Missing parameters: public_key",
    });
    const repeated = await a.inject({ url: `${v2}/pubkey/isvalid?public_key=a&public_key=b` });
    assert.equal(repeated.json().errcode, "M_MISSING_PARAMS");
  });

  test("a query parameter that is not UTF-8: M_INVALID_PARAM", async () => {
    const res = await app().inject({ url: `${v2}/pubkey/isvalid?public_key=%ff%fe` });
    assert.equal(res.statusCode, 400);
    assert.deepEqual(res.json(), {
      errcode: "M_INVALID_PARAM",
      error: "Parameter public_key and its value must be valid UTF-8",
    });
  });

  test("a body over 512 KiB is refused with M_TOO_LARGE", async () => {
    const res = await app().inject({
      method: "POST",
      url: "/_matrix/identity/versions",
      headers: { "content-type": "application/json" },
      payload: "x".repeat(CLIENT_BODY_LIMIT + 1),
    });
    assert.equal(res.statusCode, 413);
    assert.equal(res.json().errcode, "M_TOO_LARGE");
  });

  test("junk bodies and junk content types on GET routes never give a 500", async () => {
    const a = app();
    for (const [type, payload] of [
      ["application/json", "{not json"],
      ["text/plain", "\u0000\u0001"],
      ["application/x-www-form-urlencoded", "a=%ff"],
      ["multipart/form-data; boundary=x", "--x--"],
    ] as const) {
      const res = await a.inject({ method: "GET", url: v2, headers: { "content-type": type }, payload });
      assert.ok(res.statusCode < 500, `${type}: ${res.statusCode}`);
      assert.deepEqual(res.json(), {});
    }
  });
});
