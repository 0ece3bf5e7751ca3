// POST /3pid/unbind on a homeserver's behalf: a request signed (X-Matrix) by a test homeserver whose
// keys are served over real HTTPS on loopback removes the binding; a signature from another server
// than the mxid's, or a forged one, is refused and the binding stays.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { bindingApp, bindV1, emailSession, type BindingApp } from "../../../test/bindings.js";
import { engines } from "../../../test/deps.js";
import { loopbackCa } from "../../../test/federation.js";
import {
  fakeResolver,
  sendJson,
  startHttpsServer,
  type TestHttpsServer,
} from "../../../test/https-server.js";
import { lookupEverywhere, V1, V2 } from "../../../test/lookups.js";
import { signJson } from "../../crypto/signed-json.js";
import { signingKeyFromSeed } from "../../crypto/signing-key.js";

const hsKey = signingKeyFromSeed(Buffer.alloc(32, 7), "live");
const strangerKey = signingKeyFromSeed(Buffer.alloc(32, 9), "live");

/** What Synapse sends: the body signed with `destination_is` = our server name. */
function signedHeaders(
  uri: string,
  origin: string,
  content: object,
  key = hsKey,
  destination = "id.cairn.test",
) {
  const signed = signJson({ method: "POST", uri, origin, destination_is: destination, content }, origin, key);
  const sig = signed.signatures[origin]?.[key.keyId] ?? "";
  return {
    authorization: `X-Matrix origin="${origin}",key="${key.keyId}",sig="${sig}"`,
    "content-type": "application/json",
  };
}

for (const engine of engines()) {
  describe(`unbind signed by a homeserver (${engine})`, () => {
    let hs: TestHttpsServer;
    let origin: string;
    before(async () => {
      hs = await startHttpsServer(loopbackCa.issue({ dns: ["hs.test", "other.test"] }), (req, res) => {
        if (req.url === "/_matrix/key/v2/server") {
          sendJson(res, 200, { verify_keys: { [hsKey.keyId]: { key: hsKey.publicKeyBase64 } } });
        } else sendJson(res, 404, { errcode: "M_UNRECOGNIZED", error: "Unrecognized request" });
      });
      origin = `hs.test:${hs.port}`;
    });
    after(() => hs.close());

    async function withBound(fn: (b: BindingApp, mxid: string) => Promise<void>) {
      const b = await bindingApp({
        engine,
        conf: { general: { "ip.whitelist": "127.0.0.1" } },
        federation: {
          resolver: fakeResolver({ "hs.test": ["127.0.0.1"], "other.test": ["127.0.0.1"] }),
          ca: [loopbackCa.cert],
        },
      });
      try {
        const mxid = `@carol:${origin}`;
        const sid = await emailSession(b, "carol@example.org", "s1");
        await bindV1(b, sid, "s1", mxid);
        b.deps.clock.advance(1);
        await fn(b, mxid);
      } finally {
        await b.close();
      }
    }

    const threepid = { medium: "email", address: "carol@example.org" };
    const boundTo = async (b: BindingApp) =>
      (await lookupEverywhere(b.app, b.deps.pepper, "email", threepid.address)).sha256;

    test("a request signed by the mxid's homeserver unbinds", async () => {
      await withBound(async (b, mxid) => {
        const url = `${V2}/3pid/unbind`;
        const content = { threepid, mxid };
        const res = await b.app.inject({
          method: "POST",
          url,
          payload: content,
          headers: signedHeaders(url, origin, content),
        });
        assert.deepEqual([res.statusCode, res.body], [200, "{}"]);
        assert.ok(hs.requests.some((r) => r.url === "/_matrix/key/v2/server"));
        b.deps.clock.advance(1);
        assert.equal(await boundTo(b), undefined);
      });
    });

    test("refused: another server than the mxid's, a forged signature, another destination", async () => {
      await withBound(async (b, mxid) => {
        const url = `${V1}/3pid/unbind`;
        const content = { threepid, mxid };
        const send = (headers: Record<string, string>, payload: object = content) =>
          b.app.inject({ method: "POST", url, payload, headers });

        // A validly signed request from a server that is not the mxid's.
        const otherOrigin = `other.test:${hs.port}`;
        const wrongOrigin = await send(signedHeaders(url, otherOrigin, content));
        assert.equal(wrongOrigin.statusCode, 403);
        assert.deepEqual(wrongOrigin.json(), {
          errcode: "M_FORBIDDEN",
          error: "Origin server name does not match mxid",
        });

        const forged = await send(signedHeaders(url, origin, content, strangerKey));
        assert.equal(forged.statusCode, 401);
        assert.equal(forged.json().errcode, "M_FORBIDDEN");
        assert.match(forged.json().error, /^Unable to verify signature for hs\.test:\d+: /);

        const tampered = await send(signedHeaders(url, origin, content), { ...content, extra: 1 });
        assert.equal(tampered.statusCode, 401);

        const elsewhere = await send(signedHeaders(url, origin, content, hsKey, "other-is.example.org"));
        assert.equal(elsewhere.statusCode, 401);

        const badOrigin = await send({ authorization: 'X-Matrix origin="bad!origin",key="k",sig="s"' });
        assert.deepEqual([badOrigin.statusCode, badOrigin.json().errcode], [400, "M_INVALID_PARAM"]);

        const down = await send(signedHeaders(url, "down.test", { threepid, mxid: "@carol:down.test" }), {
          threepid,
          mxid: "@carol:down.test",
        });
        assert.equal(down.statusCode, 500);
        assert.match(down.json().error, /^Unable to contact the Matrix homeserver to authenticate request/);

        assert.equal(await boundTo(b), mxid);
      });
    });
  });
}
