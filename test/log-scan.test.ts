import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fixtureSecrets, scanLogDir, scanText } from "./log-scan.js";
import { SECRETS_FILE } from "./log-secrets.js";

const clean = JSON.stringify({
  level: 30,
  time: 1796414400000,
  pid: 4242,
  reqId: "5d2c0a9e1f3b7c44",
  method: "POST",
  route: "/_matrix/identity/v2/validate/email/requestToken",
  status: 200,
  mxid: "@alice:example.org",
  url: "/_matrix/identity/v2/validate/email/submitToken?sid=<redacted>&client_secret=<redacted>",
  msg: "request",
});

test("a clean line passes", () => {
  assert.deepEqual(scanText("a.log", clean, ["s3cr3t-value"]), []);
});

test("each kind of leak is found, with the file, the line and the secret masked", () => {
  const leaks: [string, string][] = [
    ["email address", '{"msg":"Attempting to mail code to alice.smith@example.org"}'],
    ["phone number", '{"msg":"sending SMS to +44 7700 900461"}'],
    ["client secret", '{"url":"/submitToken?sid=3&client_secret=monkeys_are_GREAT"}'],
    ["client secret", '{"body":{"client_secret":"monkeys_are_GREAT"}}'],
    ["token", '{"body":{"nested":{"token":"123456"}}}'],
    ["bearer token", '{"headers":"Authorization: Bearer abcdefgh"}'],
    ["private key", '{"msg":"-----BEGIN PRIVATE KEY-----"}'],
    ["registered secret", '{"msg":"session s3cr3t-value"}'],
  ];
  for (const [kind, line] of leaks) {
    const found = scanText("x.log", `${clean}\n${line}\n`, ["s3cr3t-value"]);
    assert.equal(found.length, 1, line);
    assert.equal(found[0]!.line, 2);
    assert.ok(found[0]!.kind.includes(kind), `${kind}: ${found[0]!.kind}`);
    for (const secret of ["alice.smith", "7700", "monkeys", "123456", "abcdefgh", "s3cr3t"]) {
      assert.ok(!found[0]!.masked.includes(secret), found[0]!.masked);
    }
  }
});

test("a registered secret matches only as a whole word", () => {
  assert.equal(scanText("x.log", '{"time":1796414400000}', ["179641"]).length, 0);
  assert.equal(scanText("x.log", '{"msg":"code 179641 sent"}', ["179641"]).length, 1);
});

test("the fixtures' tokens, addresses and signing keys are known secrets", () => {
  const secrets = fixtureSecrets();
  assert.ok(secrets.includes("447700900461"));
  assert.ok(secrets.includes("alice.smith@example.org"));
  assert.ok(
    secrets.some((s) => s.length >= 43 && /^[A-Za-z0-9+/]+$/.test(s)),
    "a signing key seed",
  );
});

test("the directory scan reads every log file and the registered secrets", () => {
  const dir = mkdtempSync(join(tmpdir(), "cairn-scan-"));
  try {
    writeFileSync(join(dir, SECRETS_FILE), "registered-token-42\n");
    writeFileSync(join(dir, "a.deps.log"), `${clean}\n`);
    writeFileSync(join(dir, "b.deps.log"), `${clean}\n{"msg":"token registered-token-42"}\n`);
    writeFileSync(join(dir, "notes.txt"), "registered-token-42\n");
    const found = scanLogDir(dir);
    assert.deepEqual(
      found.map((f) => [f.file, f.line, f.kind]),
      [["b.deps.log", 2, "registered secret"]],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
