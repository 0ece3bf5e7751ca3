import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { fixturePath } from "../../test/fixtures.js";
import { formatIni, setIniOption } from "./ini-edit.js";
import { parseIni } from "./ini.js";

const set = (text: string, section: string, key: string, value: string): string =>
  setIniOption(text, parseIni(text, "x.conf"), section, key, value);

describe("formatIni (Python ConfigParser.write)", () => {
  test("key = value, empty values with a trailing space, tab-indented continuations, blank line after each section", () => {
    const out = formatIni([
      {
        name: "general",
        options: [
          ["server.name", "a.example"],
          ["log.path", ""],
        ],
      },
      { name: "db", options: [] },
      { name: "email", options: [["email.third_party_invite_keyword_blocklist", "evil\nbad"]] },
    ]);
    assert.equal(
      out,
      "[general]\nserver.name = a.example\nlog.path = \n\n[db]\n\n[email]\nemail.third_party_invite_keyword_blocklist = evil\n\tbad\n\n",
    );
  });

  test("what it writes reads back to the same values", () => {
    const text = formatIni([
      {
        name: "s",
        options: [
          ["k", "evil\nbad"],
          ["e", ""],
        ],
      },
    ]);
    const options = parseIni(text, "x.conf").sections.get("s")?.options;
    assert.equal(options?.get("k")?.value, "evil\nbad");
    assert.equal(options?.get("e")?.value, "");
  });
});

describe("setIniOption keeps the operator's file", () => {
  const original =
    "# my settings\n[general]\nServer.Name = a.example   \n\n; keys\n[crypto]\n# the key:\nEd25519.SigningKey =\n";

  test("an existing option: only its value changes; spelling, indentation and comments stay", () => {
    assert.equal(
      set(original, "crypto", "ed25519.signingkey", "ed25519 0 abc"),
      original.replace("Ed25519.SigningKey =\n", "Ed25519.SigningKey = ed25519 0 abc\n"),
    );
    assert.equal(set("[s]\n  k: old\n", "s", "k", "new"), "[s]\n  k: new\n");
  });

  test("an existing multi-line value is replaced whole", () => {
    assert.equal(set("[s]\nk = a\n  b\nj = 1\n", "s", "k", "c"), "[s]\nk = c\nj = 1\n");
  });

  test("a missing option goes after the section's last option, before blank lines and comments", () => {
    const text = "[crypto]\nother = 1\n  more\n\n# about general\n[general]\n";
    assert.equal(
      set(text, "crypto", "ed25519.signingkey", "K"),
      "[crypto]\nother = 1\n  more\ned25519.signingkey = K\n\n# about general\n[general]\n",
    );
    assert.equal(set("[crypto]\n[general]\n", "crypto", "k", "v"), "[crypto]\nk = v\n[general]\n");
  });

  test("a missing section is appended after a blank line", () => {
    assert.equal(set("[general]\nx = 1\n", "crypto", "k", "v"), "[general]\nx = 1\n\n[crypto]\nk = v\n");
    assert.equal(set("[general]\nx = 1\n\n", "crypto", "k", "v"), "[general]\nx = 1\n\n[crypto]\nk = v\n");
    assert.equal(set("[general]\nx = 1", "crypto", "k", "v"), "[general]\nx = 1\n\n[crypto]\nk = v\n");
    assert.equal(set("", "crypto", "k", "v"), "[crypto]\nk = v\n");
  });

  test("a value in [DEFAULT] is not the section's: the section gets its own", () => {
    assert.equal(
      set("[DEFAULT]\nk = old\n[crypto]\n", "crypto", "k", "v"),
      "[DEFAULT]\nk = old\n[crypto]\nk = v\n",
    );
  });

  test("CRLF line ends and a byte-order mark are kept", () => {
    assert.equal(
      set("\uFEFF[crypto]\r\nk =\r\n[x]\r\n", "crypto", "k", "v"),
      "\uFEFF[crypto]\r\nk = v\r\n[x]\r\n",
    );
    assert.equal(
      set("[general]\r\nx = 1\r\n", "crypto", "k", "v"),
      "[general]\r\nx = 1\r\n\r\n[crypto]\r\nk = v\r\n",
    );
    assert.equal(set("[crypto]\r\nx = 1", "crypto", "k", "v"), "[crypto]\r\nx = 1\r\nk = v\r\n");
  });

  test("the fixture files keep every line", () => {
    const text = readFileSync(fixturePath("conf-variants", "hand-written-no-key.conf"), "utf8");
    const out = set(text, "crypto", "ed25519.signingkey", "ed25519 0 K");
    assert.equal(out, `${text}\n[crypto]\ned25519.signingkey = ed25519 0 K\n`);
  });
});
