// X-Matrix verification: the request Sydent accepted (golden.json), live signatures from a test
// homeserver whose keys are served over real HTTPS on loopback, and every refusal's code.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import pino from "pino";
import { FIXTURE_NOW } from "../../test/deps.js";
import { loopbackClient, matrixRejection, scriptedClient, loopbackCa } from "../../test/federation.js";
import { golden } from "../../test/golden.js";
import { fakeResolver, sendJson, startHttpsServer } from "../../test/https-server.js";
import type { TestHttpsServer } from "../../test/https-server.js";
import { fixedClock } from "../clock.js";
import { signJson } from "../crypto/signed-json.js";
import { signingKeyFromSeed } from "../crypto/signing-key.js";
import { createXMatrixVerifier } from "./xmatrix.js";
import type { XMatrixRequest } from "./xmatrix.js";

const log = pino({ level: "silent" });

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
      matrixRejection(x.sydent_response_tampered.status, sydent.errcode, sydent.error),
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
      matrixRejection(
        401,
        "M_FORBIDDEN",
        /^Unable to verify signature for example\.org: .*BadSignatureError/,
      ),
    );
  });
});

describe("X-Matrix: a live homeserver", () => {
  const hsKey = signingKeyFromSeed(Buffer.alloc(32, 7), "live");
  const otherKey = signingKeyFromSeed(Buffer.alloc(32, 9), "old");
  let hs: TestHttpsServer;
  let keyReply: Record<string, unknown>;

  before(async () => {
    hs = await startHttpsServer(loopbackCa.issue({ dns: ["hs.test"] }), (req, res) => {
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
      matrixRejection(401, "M_FORBIDDEN", forged),
    );
    const changed = { ...signedRequest(origin, content), content: { ...content, mxid: "@eve:hs.test" } };
    await assert.rejects(verifier.verify(changed), matrixRejection(401, "M_FORBIDDEN", forged));
    await assert.rejects(
      verifier.verify(signedRequest(origin, content, "id.cairn.test", otherKey)),
      matrixRejection(401, "M_FORBIDDEN", "No matching signature found"),
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
      matrixRejection(401, "M_FORBIDDEN", /^Unable to verify signature/),
    );
    await client.close();
  });

  test("a key server that cannot be reached: 500 'Unable to contact…' naming the failure", async () => {
    const { client, verifier } = setup();
    const closed = await startHttpsServer(loopbackCa.issue({ dns: ["x"] }), () => undefined);
    await closed.close();
    await assert.rejects(
      verifier.verify(signedRequest(`hs.test:${closed.port}`, content)),
      matrixRejection(
        500,
        "M_UNKNOWN",
        "Unable to contact the Matrix homeserver to authenticate request (ConnectError)",
      ),
    );
    await assert.rejects(
      verifier.verify(signedRequest(`missing.test:${hs.port}`, content)),
      matrixRejection(
        500,
        "M_UNKNOWN",
        "Unable to contact the Matrix homeserver to authenticate request (DNSLookupError)",
      ),
    );
    await client.close();
  });
});
