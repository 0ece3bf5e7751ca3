// Value parsers against Python: the accepted and rejected spellings are those of Python 3.11's
// int(), float() and ConfigParser.getboolean().
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isValidMailbox } from "./email-address.js";
import {
  BadValue,
  commaList,
  lineList,
  parseBoolean,
  parseCidr,
  parseFloat10,
  parseInt10,
  parseLogLevel,
  parseOriginators,
  parseSmsRule,
  parseSydentBoolean,
  parseTlsMode,
  parseUrl,
} from "./values.js";

const rejects = (fn: () => unknown, message?: RegExp): void => {
  assert.throws(fn, (err) => err instanceof BadValue && (message === undefined || message.test(err.message)));
};

describe("numbers", () => {
  test("int(): whitespace, sign, underscores between digits, leading zeros", () => {
    for (const [text, n] of [
      [" 42 ", 42],
      ["+7", 7],
      ["-3", -3],
      ["1_000", 1000],
      ["010", 10],
    ] as const) {
      assert.equal(parseInt10(text), n);
    }
    for (const text of ["1__0", "_1", "1_", "4.0", "", "0x10", "1e3", "12abc"])
      rejects(() => parseInt10(text));
    rejects(() => parseInt10("99999999999999999999"), /out of range/);
  });

  test("float(): decimals, exponents, underscores, inf and nan", () => {
    for (const [text, n] of [
      ["0.5", 0.5],
      [".5", 0.5],
      ["5.", 5],
      ["1e-3", 0.001],
      ["1_0.5", 10.5],
      [" 2 ", 2],
      ["inf", Infinity],
      ["-Infinity", -Infinity],
    ] as const) {
      assert.equal(parseFloat10(text), n);
    }
    assert.ok(Number.isNaN(parseFloat10("nan")));
    for (const text of ["1/300", "1e", "abc", "1.2.3", "1_.5", ""]) rejects(() => parseFloat10(text));
  });
});

describe("booleans", () => {
  test("ConfigParser booleans: 1/yes/true/on and 0/no/false/off in any case, else an error", () => {
    for (const t of ["1", "yes", "TRUE", "On"]) assert.equal(parseBoolean(t), true);
    for (const t of ["0", "No", "false", "OFF"]) assert.equal(parseBoolean(t), false);
    for (const t of ["", "y", "2", "enabled"]) rejects(() => parseBoolean(t), /not a boolean/);
  });

  test("Sydent's booleans: only 'true' in any case is true", () => {
    assert.equal(parseSydentBoolean("True"), true);
    for (const t of ["yes", "1", "on", "", "truthy"]) assert.equal(parseSydentBoolean(t), false);
  });
});

describe("lists", () => {
  test("comma lists are trimmed, empty entries dropped", () => {
    assert.deepEqual(commaList("example.org, hs2.example.org,,  "), ["example.org", "hs2.example.org"]);
    assert.deepEqual(commaList(""), []);
  });

  test("line lists drop empty lines and repeats", () => {
    assert.deepEqual(lineList("\nevil\nbad\n\nevil"), ["evil", "bad"]);
  });

  test("CIDRs: v4 and v6 ranges, single addresses as /32 and /128; anything else is an error", () => {
    assert.equal(parseCidr("10.0.0.0/8"), "10.0.0.0/8");
    assert.equal(parseCidr("10.0.0.1/08"), "10.0.0.1/8");
    assert.equal(parseCidr("192.0.2.7"), "192.0.2.7/32");
    assert.equal(parseCidr("fe80::/10"), "fe80::/10");
    assert.equal(parseCidr("::1"), "::1/128");
    for (const t of [
      "10.0.0.0/33",
      "::/129",
      "127.1/8",
      "0x7f.0.0.1",
      "10.0.0.0/8/8",
      "fe80::1%eth0",
      "host",
      "",
    ]) {
      rejects(() => parseCidr(t));
    }
  });
});

describe("enumerations", () => {
  test("log levels: Python's names in any case, mapped to Cairn's", () => {
    assert.equal(parseLogLevel("DEBUG"), "debug");
    assert.equal(parseLogLevel("info"), "info");
    assert.equal(parseLogLevel("WARNING"), "warn");
    assert.equal(parseLogLevel("WARN"), "warn");
    assert.equal(parseLogLevel("ERROR"), "error");
    assert.equal(parseLogLevel("CRITICAL"), "fatal");
    assert.equal(parseLogLevel("FATAL"), "fatal");
    assert.equal(parseLogLevel("NOTSET"), "debug");
    rejects(() => parseLogLevel("LOUD"), /unknown log level "LOUD"/);
    rejects(() => parseLogLevel("20"));
  });

  test("email.tlsmode: exact SSL/TLS, STARTTLS; anything else (Sydent's default 0, lower case) is plain", () => {
    assert.equal(parseTlsMode("SSL"), "tls");
    assert.equal(parseTlsMode("TLS"), "tls");
    assert.equal(parseTlsMode("STARTTLS"), "starttls");
    for (const t of ["0", "", "ssl", "starttls", "1"]) assert.equal(parseTlsMode(t), "plain");
  });

  test("originators: comma-separated type:text, one colon each, type long/short/alpha", () => {
    assert.deepEqual(parseOriginators("long:447700900000, alpha:Example"), [
      { type: "long", text: "447700900000" },
      { type: "alpha", text: "Example" },
    ]);
    rejects(() => parseOriginators("long:1:2"), /long:<number>/);
    rejects(() => parseOriginators("alpha:Matrix,"), /got ""/);
    rejects(() => parseOriginators("alpha"), /got "alpha"/);
    rejects(() => parseOriginators("alpha:"), /got "alpha:"/);
    rejects(() => parseOriginators("medium:123"), /invalid originator type "medium"/);
  });

  test("sms rules: allow or reject, exactly", () => {
    assert.equal(parseSmsRule("allow"), "allow");
    assert.equal(parseSmsRule("reject"), "reject");
    rejects(() => parseSmsRule("Reject"), /expected 'allow' or 'reject'/);
  });

  test("URLs with a required scheme", () => {
    assert.equal(parseUrl("https://peer:4434/", ["https:", "http:"]), "https://peer:4434/");
    rejects(() => parseUrl("peer:4434", ["https:", "http:"]), /scheme must be https or http/);
    rejects(() => parseUrl("not a url", ["https:"]), /not a URL/);
  });
});

describe("email.from", () => {
  test("accepts RFC 5322 mailboxes with or without a display name, including Sydent's default", () => {
    for (const t of [
      "Sydent Validation <noreply@{hostname}>",
      "noreply@example.org",
      "Example Identity <noreply@example.org>",
      '"Example, Inc." <a@example.org>',
      "J. R. Smith <j@example.org>",
      "<a@example.org>",
      "Jürgen <jürgen@bücher.example>",
      "a@[192.0.2.1]",
      '"a b"@example.org',
    ]) {
      assert.ok(isValidMailbox(t), t);
    }
  });

  test("rejects what is not one address", () => {
    for (const t of [
      "",
      "nonsense",
      "a@",
      "@example.org",
      "Example, Inc <a@example.org>",
      "a b@example.org",
      "x <a@example.org> y",
      "<>",
      ". <a@example.org>",
      "a@example.org, b@example.org",
      "a@example.org (comment)",
    ]) {
      assert.ok(!isValidMailbox(t), t);
    }
  });
});
