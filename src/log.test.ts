import assert from "node:assert/strict";
import { test } from "node:test";
import { captureLog } from "../test/log-capture.js";
import { redactQuery, scrubText } from "./log-redact.js";

test("query values of a URL are censored, names and path kept", () => {
  assert.equal(
    redactQuery("/_matrix/identity/v2/validate/email/submitToken?sid=1&client_secret=abc&token=123456#x"),
    "/_matrix/identity/v2/validate/email/submitToken?sid=<redacted>&client_secret=<redacted>&token=<redacted>",
  );
  assert.equal(redactQuery("/_matrix/identity/v2/lookup"), "/_matrix/identity/v2/lookup");
});

test("free text loses addresses, international numbers and URL query values", () => {
  assert.equal(
    scrubText(
      'duplicate key (email, alice.b+x@mail.example.co.uk) and (msisdn, +44 7700 900123) at https://hs.example/_matrix?access_token=syt_abc "@alice:example.org"',
    ),
    'duplicate key (email, <email>) and (msisdn, <number>) at https://hs.example/_matrix?access_token=<redacted> "@alice:example.org"',
  );
});

test("secret fields, messages and errors are censored in every logged line", () => {
  const { log, text } = captureLog();
  log.info({ address: "bob@example.org", client_secret: "cs-very-secret", peer: "id2" }, "asked");
  log.warn({ body: { token: "987654", phone_number: "447700900123" } }, "mailing alice@example.org");
  log.warn({ reason: "refused x@y.example", problems: ["+15555550199 is no key"] }, "checked");
  const err = new Error("insert failed for carol@example.org", { cause: new Error("+15555550123") });
  log.error({ err }, "failed");
  const out = text();
  for (const secret of [
    "bob@",
    "cs-very-secret",
    "987654",
    "447700900123",
    "alice@",
    "carol@",
    "15555550123",
  ]) {
    assert.ok(!out.includes(secret), `${secret} is not in:\n${out}`);
  }
  assert.match(out, /"peer":"id2"/);
  assert.match(out, /"msg":"mailing <email>"/);
});
