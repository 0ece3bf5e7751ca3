import assert from "node:assert/strict";
import { test } from "node:test";
import { readFixtureJson } from "../../test/fixtures.js";
import { nextLinkWithSid, pythonQuote, usableNextLink } from "./next-link.js";
import { hasValidEmailLength, validationLink } from "./sessions-email.js";

interface Transcript {
  label: string;
  request: { method: string; path: string; body: Record<string, unknown> | null };
}

test("the emailed link is byte for byte the one Sydent mailed (fixtures)", () => {
  const vars = readFixtureJson("emails", "matrix-org", "eml.j2", "verification.vars.json") as {
    vars: { link: string; token: string };
    trigger: {
      request: { body: { client_secret: string; next_link: string } };
      response_json: { sid: string };
    };
  };
  const sid = Number(vars.trigger.response_json.sid);
  const { client_secret, next_link } = vars.trigger.request.body;
  assert.equal(
    validationLink(
      "https://fixture.example.org",
      { sid, token: vars.vars.token },
      client_secret,
      nextLinkWithSid(next_link, sid),
    ),
    vars.vars.link,
  );

  // Bob clicked his link (without a client_http_base: a relative link) and Sydent redirected him.
  const transcript = readFixtureJson("current", "http-transcript.json") as Transcript[];
  const clicked = transcript.find((e) => e.label === "bob_email_1:submitToken(GET link)")!.request.path;
  const bob = { sid: 973306521, token: "pMre9qntUPwB3vapjjWNM8Y8j8BdT3mL" };
  assert.equal(
    validationLink("", bob, "bob-secret-1", nextLinkWithSid("https://app.example.org/#/validated", bob.sid)),
    clicked,
  );
});

test("Python's quote(): UTF-8 percent-encoding that keeps / and _.-~", () => {
  assert.equal(pythonQuote("a/b c?d=e&f#g"), "a/b%20c%3Fd%3De%26f%23g");
  assert.equal(pythonQuote("~_.-!'()*é"), "~_.-%21%27%28%29%2A%C3%A9");
});

test("usable next links are absolute http(s) URLs", () => {
  for (const ok of ["https://x.org", "http://127.0.0.1:8080/a?b#c", "HTTPS://X.ORG/"])
    assert.equal(usableNextLink(ok), ok);
  for (const bad of [
    undefined,
    "",
    "file:///etc/passwd",
    "javascript:alert(1)",
    "/relative",
    "x",
    "ftp://x.org",
    "https://x.org/\ud800",
  ]) {
    assert.equal(usableNextLink(bad), undefined, String(bad));
  }
});

test("email length is counted in characters, 1 to 500", () => {
  assert.equal(hasValidEmailLength(""), false);
  assert.equal(hasValidEmailLength("😀".repeat(500)), true);
  assert.equal(hasValidEmailLength("a".repeat(501)), false);
});
