import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isAcceptedRecipient, parseAddress } from "./parseaddr.js";

// [input, email.utils.parseaddr(input)[1]] as computed by Python 3.11.7 (the parser Sydent's
// Python 3.11 runs; the 2024 "strict" rework of parseaddr came later).
const PYTHON: [string, string][] = [
  ["a@b.c", "a@b.c"],
  ["user+tag@x.io", "user+tag@x.io"],
  ['"a b"@c.d', '"a b"@c.d'],
  ["a b@c.d", "a b@c.d"],
  ["@b", "@b"],
  ["a", "a"],
  ["Foo <a@b.c>", "a@b.c"],
  ["<a@b.c>", "a@b.c"],
  [" a@b.c", "a@b.c"],
  ["a@b.c ", "a@b.c"],
  ["a@b.c (comment)", "a@b.c"],
  ["(c)a@b.c", "a@b.c"],
  ["a@b.c, d@e.f", "a@b.c"],
  ["a@b@c", ""],
  ["a@", ""],
  ["not@an@email@address", ""],
  ["Naughty Nigel <perfectly.valid@mail.address>", "perfectly.valid@mail.address"],
  ["a@[1.2.3.4]", "a@[1.2.3.4]"],
  ['"a\\"b"@c', '"a\\"b"@c'],
  ['"a\\\\b"@c', '"a\\\\b"@c'],
  ["a.b@c", "a.b@c"],
  ["a . b@c", "a.b@c"],
  ["a. b@c", "a.b@c"],
  ["a .b@c", "a.b@c"],
  ["a@b .c", "a@b.c"],
  ["a@b. c", "a@b.c"],
  ["a@ b.c", "a@b.c"],
  ["a @b.c", "a@b.c"],
  ["a\tb@c", "a\tb@c"],
  ["a\nb@c", "ab@c"],
  ['"a\nb"@c', '"a\nb"@c'],
  ["group: a@b.c;", "a@b.c"],
  ["g:;", ""],
  ["a@b.c;", "a@b.c"],
  ["Jürgen.Straße@Example.DE", "Jürgen.Straße@Example.DE"],
  ["grace.hopper+invite@example.com", "grace.hopper+invite@example.com"],
  ["Alice.Smith+Fixture@Example.ORG", "Alice.Smith+Fixture@Example.ORG"],
  ["a@(x)b.c", "a@b.c"],
  ["a(x)@b.c", "a@b.c"],
  ["<>", ""],
  ['""@b', '""@b'],
  ["a@b.c>", "a@b.c"],
  ["a<b@c", "b@c"],
  ["a,b@c", "a"],
  ["a:b@c", "b@c"],
  ["a;b@c", "a"],
  ["[a]@b", ""],
  ["a@[b", "a@[b]"],
  ["a@b]", "a@b"],
  [".a@b", ".a@b"],
  ["a.@b", "a.@b"],
  ["a..b@c", "a..b@c"],
  ["a@b..c", "a@b..c"],
  ["\\a@b", "\\a@b"],
  ["a\\@b", "a\\@b"],
  ["@", ""],
  ["@@", ""],
  ["a@@b", ""],
  ["x", "x"],
  ["x y", "x"],
  ['"x"', "x"],
  ["(only comment)", ""],
  [" ", ""],
  ["a@b.c\r\n", "a@b.c"],
  ["a@b.c\r", "a@b.c"],
  ["🐇@example.com", "🐇@example.com"],
  ["a@🐇.example", "a@🐇.example"],
  ["=?utf-8?q?x?= <a@b.c>", "a@b.c"],
  ["a@b.c.", "a@b.c."],
  ["Noreply <noreply@{hostname}>", "noreply@{hostname}"],
  ["Sydent Validation <noreply@{hostname}>", "noreply@{hostname}"],
  ["<@route:a@b.c>", "a@b.c"],
  ["foo@bar <a@b>", "foo@bar"],
];

describe("parseAddress (Python's email.utils.parseaddr)", () => {
  for (const [input, address] of PYTHON) {
    test(JSON.stringify(input), () => assert.equal(parseAddress(input), address));
  }
  test("empty text", () => assert.equal(parseAddress(""), ""));
});

describe("isAcceptedRecipient (Sydent's check_valid_email_address)", () => {
  // The behaviour notes' list (§9.6.4), plus Sydent's test-pinned rejections.
  const accepted = ["a@b.c", "user+tag@x.io", '"a b"@c.d', "a b@c.d", "@b", "a", "Jürgen.Straße@Example.DE"];
  const rejected = [
    "Foo <a@b.c>",
    "<a@b.c>",
    " a@b.c",
    "a@b.c ",
    "a@b.c (comment)",
    "a@b.c, d@e.f",
    "a@b@c",
    "a@",
    "not@an@email@address",
    "Naughty Nigel <perfectly.valid@mail.address>",
  ];
  for (const a of accepted)
    test(`accepts ${JSON.stringify(a)}`, () => assert.equal(isAcceptedRecipient(a), true));
  for (const r of rejected)
    test(`rejects ${JSON.stringify(r)}`, () => assert.equal(isAcceptedRecipient(r), false));

  test("Cairn also rejects the empty address and control characters", () => {
    assert.equal(parseAddress('"a\nb"@c'), '"a\nb"@c'); // which Python would let through
    assert.equal(isAcceptedRecipient('"a\nb"@c'), false);
    assert.equal(isAcceptedRecipient('"a\u0000b"@c'), false);
    assert.equal(isAcceptedRecipient(""), false);
  });
});
