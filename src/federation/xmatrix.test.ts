// X-Matrix verification: the request Sydent accepted (golden.json), live signatures from a test
// homeserver whose keys are served over real HTTPS on loopback, and every refusal's code.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import pino from "pino";
import { FIXTURE_NOW } from "../../test/deps.js";
import { loopbackClient, testCa } from "../../test/federation.js";
import { golden } from "../../test/golden.js";
import { fakeResolver, sendJson, startHttpsServer } from "../../test/https-server.js";
import type { TestHttpsServer } from "../../test/https-server.js";
import { fixedClock } from "../clock.js";
import { signJson } from "../crypto/signed-json.js";
import { signingKeyFromSeed } from "../crypto/signing-key.js";
import { MatrixError } from "../errors.js";
import type { FederationClient } from "./types.js";
import { FederationError } from "./types.js";
import { authorizationHeaders, createXMatrixVerifier, parseXMatrix } from "./xmatrix.js";
import type { XMatrixRequest } from "./xmatrix.js";

const log = pino({ level: "silent" });

function rejection(status: number, errcode: string, message: string | RegExp) {
  return (err: unknown) => {
    assert.ok(err instanceof MatrixError, String(err));
    assert.equal(err.status, status);
    assert.equal(err.errcode, errcode);
    if (typeof message === "string") assert.equal(err.message, message);
    else assert.match(err.message, message);
    return true;
  };
}

/** A client answering every request with `reply` (or throwing it), counting requests. */
function scriptedClient(reply: unknown | Error): FederationClient & { paths: string[] } {
  const paths: string[] = [];
  return {
    paths,
    async request(serverName, req) {
      paths.push(`${serverName}${req.path}`);
      if (reply instanceof Error) throw reply;
      return {
        status: 200,
        headers: {},
        body: Buffer.from(typeof reply === "string" ? reply : JSON.stringify(reply)),
      };
    },
  };
}

describe("X-Matrix: the request Sydent accepted", () => {
  const x = golden.x_matrix;
  const keys = { verify_keys: { [x.homeserver.key_id]: { key: x.homeserver.public_key_base64_unpadded } } };
  const request = (authorization: string): XMatrixRequest => ({
    method: x.request.method,
    uri: x.request.uri,
    authorization: [authorization],
    content: x.request.content,
  });

  test("verifies, and names its origin", async () => {
    const client = scriptedClient(keys);
    const verifier = createXMatrixVerifier({
      client,
      serverName: x.request.destination_is,
      clock: fixedClock(FIXTURE_NOW),
      log,
    });
    assert.equal(await verifier.verify(request(x.authorization_header)), "example.org");
    assert.deepEqual(client.paths, ["example.org/_matrix/key/v2/server"]);
  });

  test("a tampered signature gets Sydent's 401 body", async () => {
    const verifier = createXMatrixVerifier({
      client: scriptedClient(keys),
      serverName: x.request.destination_is,
      clock: fixedClock(FIXTURE_NOW),
      log,
    });
    const sydent = JSON.parse(x.sydent_response_tampered.body.utf8) as { errcode: string; error: string };
    await assert.rejects(
      verifier.verify(request(x.tampered_header)),
      rejection(x.sydent_response_tampered.status, sydent.errcode, sydent.error),
    );
  });

  test("signed for another identity server (destination_is), it does not verify", async () => {
    const verifier = createXMatrixVerifier({
      client: scriptedClient(keys),
      serverName: "other.example.org",
      clock: fixedClock(FIXTURE_NOW),
      log,
    });
    await assert.rejects(
      verifier.verify(request(x.authorization_header)),
      rejection(401, "M_FORBIDDEN", /^Unable to verify signature for example\.org: .*BadSignatureError/),
    );
  });
});

describe("X-Matrix: a live homeserver", () => {
  const hsKey = signingKeyFromSeed(Buffer.alloc(32, 7), "live");
  const otherKey = signingKeyFromSeed(Buffer.alloc(32, 9), "old");
  let hs: TestHttpsServer;
  let keyReply: Record<string, unknown>;

  before(async () => {
    hs = await startHttpsServer(testCa.issue(["hs.test"]), (req, res) => {
      if (req.url === "/_matrix/key/v2/server") sendJson(res, 200, keyReply);
      else sendJson(res, 404, { errcode: "M_UNRECOGNIZED" });
    });
  });
  after(() => hs.close());

  function setup() {
    const client = loopbackClient({ resolver: fakeResolver({ "hs.test": ["127.0.0.1"] }) });
    const verifier = createXMatrixVerifier({ client, serverName: "id.cairn.test", clock: client.clock, log });
    return { client, verifier, origin: `hs.test:${hs.port}` };
  }

  /** What Synapse sends: origin quoted, signed with destination_is. */
  function signedRequest(
    origin: string,
    content: unknown,
    destination = "id.cairn.test",
    key = hsKey,
  ): XMatrixRequest {
    const uri = "/_matrix/identity/api/v1/3pid/unbind";
    const signed = signJson(
      { method: "POST", uri, origin, destination_is: destination, content },
      origin,
      key,
    );
    const sig = signed.signatures[origin]?.[key.keyId] ?? "";
    return {
      method: "POST",
      uri,
      content,
      authorization: [`X-Matrix origin="${origin}",key="${key.keyId}",sig="${sig}"`],
    };
  }

  const content = { mxid: "@carol:hs.test", threepid: { medium: "email", address: "carol@example.com" } };

  test("verifies; keys are fetched from /_matrix/key/v2/server and cached until valid_until_ts", async () => {
    const { client, verifier, origin } = setup();
    keyReply = {
      server_name: origin,
      valid_until_ts: FIXTURE_NOW + 60_000,
      verify_keys: { [hsKey.keyId]: { key: hsKey.publicKeyBase64 } },
    };
    const fetches = () => hs.requests.filter((r) => r.url === "/_matrix/key/v2/server").length;
    const before = fetches();
    assert.equal(await verifier.verify(signedRequest(origin, content)), origin);
    assert.equal(await verifier.verify(signedRequest(origin, { ...content, mxid: "@dave:hs.test" })), origin);
    assert.equal(fetches() - before, 1);
    assert.equal(hs.requests.at(-1)?.headers.host, origin);
    client.clock.advance(60_000);
    await verifier.verify(signedRequest(origin, content));
    assert.equal(fetches() - before, 2);
    await client.close();
  });

  test("keys without valid_until_ts are fetched for every request", async () => {
    const { client, verifier, origin } = setup();
    keyReply = { verify_keys: { [hsKey.keyId]: { key: hsKey.publicKeyBase64 } } };
    const before = hs.requests.length;
    await verifier.verify(signedRequest(origin, content));
    await verifier.verify(signedRequest(origin, content));
    assert.equal(hs.requests.length - before, 2);
    await client.close();
  });

  test("a wrong destination_is, a changed body or an unknown key are refused with 401", async () => {
    const { client, verifier, origin } = setup();
    keyReply = { verify_keys: { [hsKey.keyId]: { key: hsKey.publicKeyBase64 } } };
    const forged =
      /^Unable to verify signature for hs\.test:\d+: <class 'nacl\.exceptions\.BadSignatureError'> Signature was forged or corrupt$/;
    await assert.rejects(
      verifier.verify(signedRequest(origin, content, "someone.else")),
      rejection(401, "M_FORBIDDEN", forged),
    );
    const changed = { ...signedRequest(origin, content), content: { ...content, mxid: "@eve:hs.test" } };
    await assert.rejects(verifier.verify(changed), rejection(401, "M_FORBIDDEN", forged));
    await assert.rejects(
      verifier.verify(signedRequest(origin, content, "id.cairn.test", otherKey)),
      rejection(401, "M_FORBIDDEN", "No matching signature found"),
    );
    await client.close();
  });

  test("several headers: the last origin counts, its first known key is used", async () => {
    const { client, verifier, origin } = setup();
    keyReply = {
      verify_keys: {
        [hsKey.keyId]: { key: hsKey.publicKeyBase64 },
        "ed25519:spare": { key: otherKey.publicKeyBase64 },
      },
    };
    const good = signedRequest(origin, content);
    const unknown = signedRequest(
      origin,
      content,
      "id.cairn.test",
      signingKeyFromSeed(Buffer.alloc(32, 1), "gone"),
    );
    const decoy = signedRequest("decoy.test", content);
    const request = {
      ...good,
      authorization: [...decoy.authorization, ...unknown.authorization, ...good.authorization],
    };
    assert.equal(await verifier.verify(request), origin);
    // The first usable key's signature is bad: no other key is tried.
    const spareBad = `X-Matrix origin=${origin},key="ed25519:spare",sig="${"A".repeat(86)}"`;
    await assert.rejects(
      verifier.verify({ ...good, authorization: [spareBad, ...good.authorization] }),
      rejection(401, "M_FORBIDDEN", /^Unable to verify signature/),
    );
    await client.close();
  });

  test("a key server that cannot be reached: 500 'Unable to contact…' naming the failure", async () => {
    const { client, verifier } = setup();
    const closed = await startHttpsServer(testCa.issue(["x"]), () => undefined);
    await closed.close();
    await assert.rejects(
      verifier.verify(signedRequest(`hs.test:${closed.port}`, content)),
      rejection(
        500,
        "M_UNKNOWN",
        "Unable to contact the Matrix homeserver to authenticate request (ConnectError)",
      ),
    );
    await assert.rejects(
      verifier.verify(signedRequest(`missing.test:${hs.port}`, content)),
      rejection(
        500,
        "M_UNKNOWN",
        "Unable to contact the Matrix homeserver to authenticate request (DNSLookupError)",
      ),
    );
    await client.close();
  });
});

describe("X-Matrix: refusals before and after the key fetch", () => {
  const verifier = (reply: unknown) =>
    createXMatrixVerifier({
      client: scriptedClient(reply),
      serverName: "id.test",
      clock: fixedClock(FIXTURE_NOW),
      log,
    });
  const req = (...authorization: string[]): XMatrixRequest => ({
    method: "POST",
    uri: "/x",
    authorization,
    content: {},
  });
  const ok = { verify_keys: {} };

  test("headers: missing, not X-Matrix, malformed, bad origin", async () => {
    await assert.rejects(
      verifier(ok).verify(req()),
      rejection(401, "M_FORBIDDEN", "Missing Authorization headers"),
    );
    await assert.rejects(
      verifier(ok).verify(req("Bearer abc")),
      rejection(401, "M_FORBIDDEN", "Missing X-Matrix Authorization header"),
    );
    for (const bad of [
      "X-Matrix",
      "X-Matrix origin=a.test, key=k,sig=s",
      "X-Matrix origin=a.test,key=k",
      "X-Matrix origin=a.test,key,sig=s",
    ]) {
      await assert.rejects(
        verifier(ok).verify(req(bad)),
        rejection(401, "M_FORBIDDEN", "Malformed Authorization header"),
        bad,
      );
    }
    await assert.rejects(
      verifier(ok).verify(req("X-Matrix origin=bad_origin!,key=k,sig=s")),
      rejection(
        400,
        "M_INVALID_PARAM",
        "X-Matrix header's origin parameter must be a valid Matrix server name",
      ),
    );
  });

  test("key replies: not JSON, no verify_keys, wrong types", async () => {
    const header = "X-Matrix origin=a.test,key=ed25519:k,sig=s";
    await assert.rejects(
      verifier("<html>").verify(req(header)),
      rejection(500, "M_UNKNOWN", "Internal Server Error"),
    );
    await assert.rejects(
      verifier({ keys: {} }).verify(req(header)),
      rejection(401, "M_FORBIDDEN", "No key found in response"),
    );
    await assert.rejects(
      verifier([1]).verify(req(header)),
      rejection(401, "M_FORBIDDEN", "No key found in response"),
    );
    await assert.rejects(
      verifier({ verify_keys: [] }).verify(req(header)),
      rejection(401, "M_FORBIDDEN", "Invalid type for verify_keys: expected dict, got []"),
    );
    await assert.rejects(
      verifier({ verify_keys: { "ed25519:k": { key: 5 } } }).verify(req(header)),
      rejection(401, "M_FORBIDDEN", "Invalid type for verify_keys/ed25519:k/key: expected str, got 5"),
    );
    await assert.rejects(
      verifier({ verify_keys: {}, valid_until_ts: 1.5 }).verify(req(header)),
      rejection(401, "M_FORBIDDEN", "Invalid valid_until_ts received, must be an integer"),
    );
    await assert.rejects(
      verifier({ verify_keys: { "ed25519:k": {} } }).verify(req(header)),
      rejection(401, "M_FORBIDDEN", "No matching signature found"),
    );
    await assert.rejects(
      verifier({ verify_keys: { "ed25519:k": { key: "c2hvcnQ" } } }).verify(req(header)),
      rejection(
        401,
        "M_FORBIDDEN",
        "Unable to verify signature for a.test: ed25519:k is not a usable ed25519 key",
      ),
    );
  });

  test("a failure other than the network is not dressed up as one", async () => {
    const v = createXMatrixVerifier({
      client: scriptedClient(new Error("bug")),
      serverName: "id.test",
      clock: fixedClock(FIXTURE_NOW),
      log,
    });
    await assert.rejects(v.verify(req("X-Matrix origin=a.test,key=k,sig=s")), /bug/);
    const t = createXMatrixVerifier({
      client: scriptedClient(new FederationError("timeout", "timed out after 1 s waiting for a.test")),
      serverName: "id.test",
      clock: fixedClock(FIXTURE_NOW),
      log,
    });
    await assert.rejects(
      t.verify(req("X-Matrix origin=a.test,key=k,sig=s")),
      rejection(500, "M_UNKNOWN", /\(TimeoutError\)$/),
    );
  });
});

describe("X-Matrix header parsing", () => {
  test("Sydent's rules", () => {
    assert.deepEqual(parseXMatrix('X-Matrix origin="a.test",key="ed25519:1",sig="abc="'), {
      origin: "a.test",
      key: "ed25519:1",
      sig: "abc=",
    });
    assert.deepEqual(parseXMatrix("X-Matrix origin=a.test,destination=id.test,key=k,sig=s,origin=b.test"), {
      origin: "b.test",
      key: "k",
      sig: "s",
    });
    assert.deepEqual(parseXMatrix('X-Matrix origin="a.test,key=k",sig=s'), {
      origin: "a.tes",
      key: 'k"',
      sig: "s",
    });
    assert.deepEqual(parseXMatrix("X-Matrix origin=a,key=k,sig=s trailing words"), {
      origin: "a",
      key: "k",
      sig: "s",
    });
    assert.equal(parseXMatrix("X-Matrix  origin=a,key=k,sig=s"), null);
    assert.equal(parseXMatrix("X-Matrix "), null);
  });

  test("every Authorization header from the raw list", () => {
    assert.deepEqual(
      authorizationHeaders(["Host", "x", "Authorization", "a", "authorization", "b", "X-Other", "c"]),
      ["a", "b"],
    );
  });
});
