// The federation client and X-Matrix verifier in test deps: built from the config's deny-list and
// federation.verifycerts, with the resolver and CA a test injects.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { signJson } from "../src/crypto/signed-json.js";
import { signingKeyFromSeed } from "../src/crypto/signing-key.js";
import { FederationError } from "../src/federation/types.js";
import { TEST_SERVER_NAME, testDeps } from "./deps.js";
import { loopbackCa } from "./federation.js";
import { fakeResolver, sendJson, startHttpsServer } from "./https-server.js";
import type { TestHttpsServer } from "./https-server.js";
import { selfSignedCert } from "./tls.js";

describe("federation in test deps", () => {
  const hsKey = signingKeyFromSeed(Buffer.alloc(32, 3), "t");
  let hs: TestHttpsServer;
  let selfSigned: TestHttpsServer;
  before(async () => {
    const handler = (req: { url: string }, res: Parameters<typeof sendJson>[0]) =>
      sendJson(
        res,
        200,
        req.url === "/_matrix/key/v2/server"
          ? { verify_keys: { [hsKey.keyId]: { key: hsKey.publicKeyBase64 } } }
          : {},
      );
    hs = await startHttpsServer(loopbackCa.issue({ dns: ["hs.test"] }), handler);
    selfSigned = await startHttpsServer(selfSignedCert({ dns: ["self.test"] }), handler);
  });
  after(async () => {
    await hs.close();
    await selfSigned.close();
  });

  test("the config's whitelist and verifycerts apply; the injected resolver and CA are used", async () => {
    const deps = await testDeps({
      conf: { general: { "ip.whitelist": "127.0.0.1" } },
      federation: { resolver: fakeResolver({ "hs.test": ["127.0.0.1"] }), ca: [loopbackCa.cert] },
    });
    try {
      assert.equal(
        (await deps.federation.request(`hs.test:${hs.port}`, { method: "GET", path: "/" })).status,
        200,
      );
      await assert.rejects(
        deps.federation.request(`127.0.0.1:${selfSigned.port}`, { method: "GET", path: "/" }),
        (err: unknown) => err instanceof FederationError && err.kind === "tls",
      );
      const origin = `hs.test:${hs.port}`;
      const uri = "/_matrix/identity/v2/3pid/unbind";
      const content = { mxid: `@a:${origin}` };
      const signed = signJson(
        { method: "POST", uri, origin, destination_is: TEST_SERVER_NAME, content },
        origin,
        hsKey,
      );
      const sig = signed.signatures[origin]?.[hsKey.keyId] ?? "";
      const authorization = [`X-Matrix origin=${origin},key="${hsKey.keyId}",sig="${sig}"`];
      assert.equal(await deps.xmatrix.verify({ method: "POST", uri, content, authorization }), origin);
    } finally {
      await deps.cleanup();
    }
  });

  test("by default loopback is deny-listed and no name resolves", async () => {
    const deps = await testDeps({ conf: { http: { "federation.verifycerts": "false" } } });
    try {
      await assert.rejects(
        deps.federation.request(`127.0.0.1:${selfSigned.port}`, { method: "GET", path: "/" }),
        (err: unknown) => err instanceof FederationError && err.kind === "blocked",
      );
      await assert.rejects(
        deps.federation.request("example.org:8448", { method: "GET", path: "/" }),
        (err: unknown) => err instanceof FederationError && err.message === "DNS: no address for example.org",
      );
    } finally {
      await deps.cleanup();
    }
  });
});
