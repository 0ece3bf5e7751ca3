// The invitation email's variables, computed from the requests Sydent recorded in the fixtures, must
// be the variables Sydent computed (emails/<brand>/<engine>/invite*.vars.json); the redacted
// address must be the display_name Sydent answered.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { readFixtureJson } from "../../test/fixtures.js";
import { formatSubject, inviteSubstitutions, redactAddress } from "./invite-email.js";

interface Recorded {
  vars: Record<string, string>;
  trigger: {
    request: { path: string; body: Record<string, unknown>; authorization?: string };
    response_json: { display_name: string };
  };
}

/** Sydent's defaults for the keys these computations read. */
const EMAIL = {
  defaultWebClientLocation: "https://app.element.io",
  inviteSubject: "%(sender_display_name)s has invited you to chat",
  inviteSubjectSpace: "%(sender_display_name)s has invited you to a space",
};
/** Added by the mailer for every email, not by the invitation. */
const MAILER_VARS = ["messageid", "date", "to", "from", "multipart_boundary"];

describe("Sydent's recorded invitations", () => {
  for (const brand of ["matrix-org", "vector-im"]) {
    for (const engine of ["eml.j2", "eml-legacy"]) {
      for (const name of ["invite", "invite-space"]) {
        test(`${brand} ${engine} ${name}: the variables and display name`, () => {
          const { vars, trigger } = readFixtureJson("emails", brand, engine, `${name}.vars.json`) as Recorded;
          const { body, path } = trigger.request;
          const v2 = path.startsWith("/_matrix/identity/v2/");
          const computed = inviteSubstitutions({
            args: body,
            token: vars.token ?? "",
            ephemeralPrivateKey: vars.ephemeral_private_key ?? "",
            verifiedSender: v2 ? String(body.sender) : null,
            email: EMAIL,
          });
          const expected = Object.fromEntries(Object.entries(vars).filter(([k]) => !MAILER_VARS.includes(k)));
          assert.deepEqual(computed, expected);
          assert.equal(redactAddress(String(body.address), 3, 3), trigger.response_json.display_name);
        });
      }
    }
  }
});

describe("invitation variables", () => {
  const base = { token: "T", ephemeralPrivateKey: "K", verifiedSender: null, email: EMAIL };

  test("display names over 20 and room names over 30 code points are cut, astral ones counted once", () => {
    const vars = inviteSubstitutions({
      ...base,
      args: { sender_display_name: "\u{1F407}".repeat(20), room_name: "\u{1F407}".repeat(30) },
    });
    assert.equal(vars.sender_display_name, "\u{1F407}".repeat(20));
    assert.equal(vars.room_name, "\u{1F407}".repeat(30));
    assert.equal(vars.bracketed_room_name, `(${"\u{1F407}".repeat(30)}) `);
    const cut = inviteSubstitutions({
      ...base,
      args: { sender_display_name: "a".repeat(21), room_name: "b".repeat(31) },
    });
    assert.equal(cut.sender_display_name, `${"a".repeat(19)}\u2026`);
    assert.equal(cut.room_name, `${"b".repeat(25)}\u2026`);
  });

  test("server values win over arguments of the same name; non-strings are dropped", () => {
    const vars = inviteSubstitutions({
      ...base,
      verifiedSender: "@a:x",
      args: {
        token: "client",
        ephemeral_private_key: "client",
        bracketed_verified_sender: "client",
        web_client_location: "https://client",
        subject_header_value: "client",
        room_avatar_url: 7,
        bracketed_room_name: "(kept while room_name is empty) ",
      },
    });
    assert.equal(vars.token, "T");
    assert.equal(vars.ephemeral_private_key, "K");
    assert.equal(vars.bracketed_verified_sender, "(@a:x) ");
    assert.equal(vars.web_client_location, EMAIL.defaultWebClientLocation);
    assert.equal(vars.room_avatar_url, "");
    assert.equal(vars.bracketed_room_name, "(kept while room_name is empty) ");
    assert.equal(vars.subject_header_value, "=?utf8?q?_has_invited_you_to_chat?=");
  });

  test("the subject names missing variables as empty, and is encoded as Python does", () => {
    assert.equal(formatSubject("%(room_alias)s|%(x)-3s|%%", { x: "ab" }), "|ab |%");
    const vars = inviteSubstitutions({
      ...base,
      email: { ...EMAIL, inviteSubject: "Einladung von %(sender_display_name)s nach %(room_alias)s" },
      args: { sender_display_name: "J\u00fcrgen" },
    });
    // CPython 3.11: Header("Einladung von Jürgen nach ", "utf8").encode()
    assert.equal(vars.subject_header_value, "=?utf8?q?Einladung_von_J=C3=BCrgen_nach_?=");
    assert.throws(() =>
      inviteSubstitutions({ ...base, email: { ...EMAIL, inviteSubject: "100% fun" }, args: {} }),
    );
  });
});

describe("redacted addresses (display_name)", () => {
  test("Sydent's test-pinned examples", () => {
    assert.equal(redactAddress("1234567890@1234567890.com", 6, 8), "123456...@12345678...");
    assert.equal(redactAddress("1@1.com", 6, 8), "...@1...");
    assert.equal(redactAddress("alice@example.com", 3, 3), "ali...@exa...");
  });

  test("short parts, a second @ and astral characters", () => {
    assert.equal(redactAddress("abcdef@xy", 10, 10), "abc...@x...");
    assert.equal(redactAddress("@b", 3, 3), "...@...");
    assert.equal(redactAddress("a@b@c", 3, 3), "...@b...");
    assert.equal(
      redactAddress("\u{1F407}\u{1F407}\u{1F407}\u{1F407}@x.org", 2, 3),
      "\u{1F407}\u{1F407}...@x.o...",
    );
    assert.throws(() => redactAddress("no-at", 3, 3));
  });
});
