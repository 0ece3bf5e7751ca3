// Where pushes go, and the body they carry.
import assert from "node:assert/strict";
import { test } from "node:test";
import { GOLDEN_SEED } from "../../test/deps.js";
import { pythonJsonDumps } from "../crypto/canonical-json.js";
import { verifySignedJson } from "../crypto/signed-json.js";
import { signingKeyFromSeed } from "../crypto/signing-key.js";
import { peerPushUrl, pushBody } from "./protocol.js";

test("the push URL: https://<name>:<port or 1001>/, or base_replication_url with one slash", () => {
  const path = "_matrix/identity/replicate/v1/push";
  assert.equal(
    peerPushUrl({ name: "peer.example.net", port: 4435 }, {}),
    `https://peer.example.net:4435/${path}`,
  );
  assert.equal(peerPushUrl({ name: "p.example", port: null }, {}), `https://p.example:1001/${path}`);
  assert.equal(peerPushUrl({ name: "p.example", port: 0 }, {}), `https://p.example:1001/${path}`);
  const urls = { "p.example": "https://internal:4434", "q.example": "https://q-internal/base/" };
  assert.equal(peerPushUrl({ name: "p.example", port: 9 }, urls), `https://internal:4434/${path}`);
  assert.equal(peerPushUrl({ name: "q.example", port: 9 }, urls), `https://q-internal/base/${path}`);
});

test("the body: sgAssocs by local id in ascending order, each signed, in json.dumps form", () => {
  const key = signingKeyFromSeed(GOLDEN_SEED, "0");
  const row = (id: number, mxid: string | null) => ({
    id,
    medium: "email",
    address: `a${id}@x`,
    mxid,
    ts: 1000 + id,
    notBefore: mxid === null ? null : 1000 + id,
    notAfter: mxid === null ? null : 2000 + id,
    lookupHash: null,
  });
  const body = pushBody([row(9, "@a:x"), row(10, null), row(11, "@b:x")], "s.example", key);
  const parsed = JSON.parse(body) as { sgAssocs: Record<string, Record<string, unknown>> };
  assert.deepEqual(Object.keys(parsed.sgAssocs), ["9", "10", "11"]);
  assert.deepEqual(Object.keys(parsed.sgAssocs["9"] ?? {}), [
    "medium",
    "address",
    "mxid",
    "ts",
    "not_before",
    "not_after",
    "signatures",
  ]);
  const tombstone = parsed.sgAssocs["10"] ?? {};
  const { signatures: _, ...fields } = tombstone;
  assert.deepEqual(fields, {
    medium: "email",
    address: "a10@x",
    mxid: null,
    ts: 1010,
    not_before: null,
    not_after: null,
  });
  for (const signed of Object.values(parsed.sgAssocs)) {
    assert.ok(verifySignedJson(signed, "s.example", "ed25519:0", key.publicKey).ok);
  }
  assert.equal(body, pythonJsonDumps(parsed));
  assert.ok(body.startsWith('{"sgAssocs": {"9": {"medium": "email", '));
});
