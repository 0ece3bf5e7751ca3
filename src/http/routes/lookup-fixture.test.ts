// On a copy of the database the real Sydent filled (fixtures `current/`), served as Sydent's own
// server name with its key: every lookup answers what Sydent answered, byte-for-byte signatures
// included, and every served association verifies.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { decodeBase64 } from "../../crypto/base64.js";
import { verifySignedJson } from "../../crypto/signed-json.js";
import { buildApp } from "../../app.js";
import { bearer } from "../../../test/auth.js";
import type { TestDeps } from "../../../test/deps.js";
import { readFixtureJson } from "../../../test/fixtures.js";
import { V1, V2, v2Lookup } from "../../../test/lookups.js";
import { sydentServer, type SydentServer } from "../../../test/sydent-server.js";

interface Facts {
  server_name: string;
  lookup_pepper: string;
  signing_key_config_value: string;
  expected_v1_lookups: Record<string, { medium: string; address: string; response: Record<string, unknown> }>;
  expected_v1_bulk_lookup: { request: unknown; response: unknown };
  expected_v2_lookup_sha256: { request_hashes: string[]; response: { mappings: Record<string, string> } };
  expected_v2_lookup_none: { request_addresses: string[]; response: { mappings: Record<string, string> } };
  expected_v2_lookup_wrong_pepper: { status: number; response: unknown };
}

const facts = readFixtureJson("current", "facts.json") as Facts;
const FIXTURE_PUBLIC_KEY = "jMU20N8XMtRBzoR0Oa3ubA6bbOdSUTGXbNQ622tJABI";
const PEER = "peer.example.net";

describe("lookups on Sydent's own database (current/)", () => {
  let server: SydentServer;
  let deps: TestDeps;
  before(async () => {
    server = await sydentServer(facts);
    deps = server.deps;
  });
  after(() => server.close());

  test("the pepper and key are Sydent's", async () => {
    assert.equal(deps.pepper, facts.lookup_pepper);
    assert.equal(deps.serverKey.publicKeyBase64, FIXTURE_PUBLIC_KEY);
    const res = await buildApp(deps).inject({ url: `${V2}/hash_details`, headers: bearer });
    assert.deepEqual(res.json(), { algorithms: ["sha256", "none"], lookup_pepper: "hCVRm" });
  });

  test("v1: every lookup of the README table, `{}` and countersigned peer rows included", async () => {
    const app = buildApp(deps);
    const peerKey = (await deps.store.peers.list()).find((p) => p.name === PEER)?.publicKeys["ed25519"];
    assert.ok(peerKey, "the fixture has the peer's key");
    const keys: Record<string, Buffer> = {
      [facts.server_name]: decodeBase64(FIXTURE_PUBLIC_KEY),
      [PEER]: decodeBase64(peerKey),
    };
    for (const [label, expected] of Object.entries(facts.expected_v1_lookups)) {
      const res = await app.inject({
        url: `${V1}/lookup`,
        query: { medium: expected.medium, address: expected.address },
      });
      assert.equal(res.statusCode, 200, label);
      const answer = res.json() as Record<string, unknown>;
      assert.deepEqual(answer, expected.response, label);
      if (Object.keys(answer).length === 0) continue;
      const signers = Object.keys(answer["signatures"] as object);
      assert.deepEqual(signers, Object.keys(expected.response["signatures"] as object), label);
      assert.ok(signers.includes(facts.server_name), label);
      for (const signer of signers) {
        const verified = verifySignedJson(answer, signer, "ed25519:0", keys[signer] ?? Buffer.alloc(0));
        assert.deepEqual(verified, { ok: true }, `${label}: ${signer}`);
      }
    }
  });

  test("bulk: Sydent's answer", async () => {
    const { request, response } = facts.expected_v1_bulk_lookup;
    const res = await buildApp(deps).inject({
      method: "POST",
      url: `${V1}/bulk_lookup`,
      payload: request as object,
    });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), response);
  });

  test("v2 sha256: Sydent's answer", async () => {
    const { request_hashes, response } = facts.expected_v2_lookup_sha256;
    const res = await v2Lookup(buildApp(deps), {
      addresses: request_hashes,
      algorithm: "sha256",
      pepper: facts.lookup_pepper,
    });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), response);
  });

  test("v2 none: Sydent's answer, plus the entry it keyed by the stored spelling keyed as sent", async () => {
    const { request_addresses, response } = facts.expected_v2_lookup_none;
    const res = await v2Lookup(buildApp(deps), {
      addresses: request_addresses,
      algorithm: "none",
      pepper: facts.lookup_pepper,
    });
    assert.equal(res.statusCode, 200);
    // Sydent answered "Alice.Smith@Example.ORG email" under the key "alice.smith@example.org email".
    assert.ok(request_addresses.includes("Alice.Smith@Example.ORG email"));
    assert.deepEqual(res.json(), {
      mappings: { ...response.mappings, "Alice.Smith@Example.ORG email": "@alice:example.org" },
    });
  });

  test("a wrong pepper: Sydent's exact error", async () => {
    const expected = facts.expected_v2_lookup_wrong_pepper;
    const res = await v2Lookup(buildApp(deps), {
      addresses: facts.expected_v2_lookup_sha256.request_hashes,
      algorithm: "sha256",
      pepper: "wrong",
    });
    assert.deepEqual([res.statusCode, res.json()], [expected.status, expected.response]);
  });
});
