import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { fixturePath, readFixtureJson } from "../../test/fixtures.js";
import { golden } from "../../test/golden.js";
import { decodeBase64, encodeBase64 } from "./base64.js";
import { canonicalJson, pythonJsonDumps } from "./canonical-json.js";
import { signingKeyFromSeed } from "./signing-key.js";
import { signJson, verifySignedJson } from "./signed-json.js";

const server = golden.signing_key.server_name;
const key = signingKeyFromSeed(Buffer.from(golden.signing_key.seed_hex, "hex"), golden.signing_key.version);

test("signed associations match Sydent's: object, signature and stored sgAssoc string", () => {
  assert.equal(golden.signed_associations.items.length, 3);
  for (const item of golden.signed_associations.items) {
    const before = structuredClone(item.input);
    const signed = signJson(item.input, server, key);
    assert.deepEqual(item.input, before, "the input is not modified");
    assert.equal(canonicalJson(item.input), item.canonical_json_signed.utf8);
    assert.deepEqual(signed, item.signed_association);
    assert.equal(signed.signatures[server]?.[key.keyId], item.signature);
    assert.equal(pythonJsonDumps(signed), item.as_stored_sgAssoc, "signatures come last, as in Python");
    assert.deepEqual(verifySignedJson(signed, server, key.keyId, key.publicKey), { ok: true });
  }
});

test("invite proofs (mxid_signed) and the bind result carrying them match Sydent's", () => {
  const { input, signed, signed_association_returned_by_addBinding: bound } = golden.mxid_signed;
  assert.deepEqual(signJson(input, server, key), signed);
  const { signatures: _signatures, ...association } = bound;
  const result = signJson(association, server, key);
  assert.deepEqual(result, bound);
  assert.equal(pythonJsonDumps(result), golden.mxid_signed.as_http_json_body.utf8);
});

test("sign-ed25519 output is reproduced with the caller's ephemeral key", () => {
  const { request_body: request, invite_token_row: invite } = golden.sign_ed25519;
  const ephemeral = signingKeyFromSeed(decodeBase64(request.private_key), "0");
  const signed = signJson(
    { mxid: request.mxid, sender: invite.sender, token: request.token },
    server,
    ephemeral,
  );
  assert.equal(
    canonicalJson({ mxid: request.mxid, sender: invite.sender, token: request.token }),
    golden.sign_ed25519.canonical_json_signed.utf8,
  );
  assert.equal(pythonJsonDumps(signed), golden.sign_ed25519.response.body.utf8);
});

test("other signatures are kept in place and `unsigned` is left out of the signature", () => {
  const signatures: Record<string, Record<string, string>> = {
    "other.example": { "ed25519:x": "sig" },
    [server]: { "ed25519:old": "old", [key.keyId]: "stale" },
  };
  const obj = { a: 1, unsigned: { age: 5 }, signatures };
  const signed = signJson(obj, server, key);
  assert.equal(
    pythonJsonDumps(signed),
    pythonJsonDumps({
      a: 1,
      signatures: {
        "other.example": { "ed25519:x": "sig" },
        [server]: { "ed25519:old": "old", [key.keyId]: key.sign('{"a":1}') },
      },
      unsigned: { age: 5 },
    }),
  );
  assert.equal(signatures[server]?.[key.keyId], "stale", "the input is not modified");
  assert.deepEqual(verifySignedJson({ ...signed, unsigned: { age: 6 } }, server, key.keyId, key.publicKey), {
    ok: true,
  });
  assert.equal(
    "unsigned" in signJson({ a: 1, unsigned: null }, server, key),
    false,
    "null unsigned is dropped",
  );
});

test("a malformed existing `signatures` is refused rather than overwritten", () => {
  assert.throws(() => signJson({ signatures: "x" }, server, key), /signatures is not an object/);
  assert.throws(() => signJson({ signatures: { [server]: [] } }, server, key), /is not an object/);
});

test("verification failures carry python-signedjson's reasons", () => {
  const signed = signJson({ a: 1 }, server, key);
  const sig = signed.signatures[server]?.[key.keyId] ?? "";
  const check = (obj: Record<string, unknown>, name = server, keyId = key.keyId) =>
    verifySignedJson(obj, name, keyId, key.publicKey);
  const withSig = (value: unknown) => ({ a: 1, signatures: { [server]: { [key.keyId]: value } } });
  assert.deepEqual(check({ a: 1 }), { ok: false, reason: "No signatures on this object" });
  assert.deepEqual(check(signed, "other"), { ok: false, reason: "Missing signature for other, ed25519:0" });
  assert.deepEqual(check(signed, server, "ed25519:1"), {
    ok: false,
    reason: `Missing signature for ${server}, ed25519:1`,
  });
  for (const name of ["__proto__", "constructor", "toString"]) {
    assert.equal(check(signed, name).ok, false, name);
  }
  assert.deepEqual(check(withSig("A")), {
    ok: false,
    reason: `Invalid signature base64 for ${server}, ed25519:0`,
  });
  assert.deepEqual(check(withSig(42)), {
    ok: false,
    reason: `Invalid signature base64 for ${server}, ed25519:0`,
  });
  assert.deepEqual(check(withSig(sig.slice(0, 40))), {
    ok: false,
    reason: `Unable to verify signature for ${server}: <class 'nacl.exceptions.ValueError'> The signature must be exactly 64 bytes long`,
  });
  assert.deepEqual(check({ ...signed, a: 2 }), {
    ok: false,
    reason: `Unable to verify signature for ${server}: <class 'nacl.exceptions.BadSignatureError'> Signature was forged or corrupt`,
  });
  assert.deepEqual(check(withSig(sig)), { ok: true });
});

/** The `sig` of an `Authorization: X-Matrix ...` header (enough parsing for the recorded ones). */
const headerSignature = (header: string): string => /sig="([^"]+)"/.exec(header)?.[1] ?? "";

test("the recorded X-Matrix request verifies with the homeserver key, and the tampered one fails as in Sydent", () => {
  const { homeserver, request } = golden.x_matrix;
  const hsKey = signingKeyFromSeed(Buffer.from(homeserver.seed_hex, "hex"), "hs1");
  const signedRequest = (sig: string) => ({
    method: request.method,
    uri: request.uri,
    destination_is: request.destination_is,
    origin: homeserver.server_name,
    content: JSON.parse(request.body.utf8) as unknown,
    signatures: { [homeserver.server_name]: { [homeserver.key_id]: sig } },
  });
  const good = signedRequest(headerSignature(golden.x_matrix.authorization_header));
  assert.equal(headerSignature(golden.x_matrix.authorization_header), golden.x_matrix.signature);
  const { signatures: _signatures, ...unsignedRequest } = good;
  assert.equal(canonicalJson(unsignedRequest), golden.x_matrix.canonical_json_signed.utf8);
  assert.deepEqual(verifySignedJson(good, homeserver.server_name, homeserver.key_id, hsKey.publicKey), {
    ok: true,
  });
  assert.deepEqual(signJson(unsignedRequest, homeserver.server_name, hsKey), good);

  const tampered = signedRequest(headerSignature(golden.x_matrix.tampered_header));
  const sydentError = JSON.parse(golden.x_matrix.sydent_response_tampered.body.utf8) as { error: string };
  assert.deepEqual(verifySignedJson(tampered, homeserver.server_name, homeserver.key_id, hsKey.publicKey), {
    ok: false,
    reason: sydentError.error,
  });
  const wrongDestination = { ...good, destination_is: "elsewhere.example" };
  assert.equal(
    verifySignedJson(wrongDestination, homeserver.server_name, homeserver.key_id, hsKey.publicKey).ok,
    false,
  );
});

interface Table {
  columns: string[];
  rows: unknown[][];
}

test("every sgAssoc in the fixture database verifies, nested invite proofs included, and re-signs identically", () => {
  const tables = (readFixtureJson("current", "dump.json") as { tables: Record<string, Table> }).tables;
  const conf = readFileSync(fixturePath("current", "sydent.conf"), "utf8");
  const [, version = "", seed = ""] = /^ed25519\.signingkey = ed25519 (\S+) (\S+)$/m.exec(conf) ?? [];
  const fixtureKey = signingKeyFromSeed(decodeBase64(seed), version);
  assert.equal(fixtureKey.publicKeyBase64, "jMU20N8XMtRBzoR0Oa3ubA6bbOdSUTGXbNQ622tJABI");
  const peerRow = tables.peer_pubkeys?.rows[0] ?? [];
  const peerKey = decodeBase64(String(peerRow[3]));
  assert.equal(encodeBase64(peerKey), peerRow[3]);

  const global = tables.global_threepid_associations;
  assert.ok(global);
  const column = (name: string) => global.columns.indexOf(name);
  let invites = 0;
  for (const row of global.rows) {
    const stored = String(row[column("sgAssoc")]);
    const assoc = JSON.parse(stored) as Record<string, unknown>;
    const origin = String(row[column("originServer")]);
    const publicKey = origin === "fixture.example.org" ? fixtureKey.publicKey : peerKey;
    assert.deepEqual(verifySignedJson(assoc, origin, "ed25519:0", publicKey), { ok: true }, stored);
    for (const invite of (assoc.invites ?? []) as { signed: Record<string, unknown> }[]) {
      invites++;
      assert.deepEqual(verifySignedJson(invite.signed, origin, "ed25519:0", publicKey), { ok: true });
      assert.equal(
        pythonJsonDumps(signJson(invite.signed, origin, fixtureKey)),
        pythonJsonDumps(invite.signed),
      );
    }
    if (origin === "fixture.example.org") {
      const { signatures: _signatures, ...bare } = assoc;
      assert.equal(pythonJsonDumps(signJson(bare, origin, fixtureKey)), stored, "byte-identical sgAssoc");
    }
  }
  assert.equal(global.rows.length, 9);
  assert.equal(invites, 1);
});
