// Vectors computed with CPython 3.11 (`email.header.Header(value, "utf8").encode()`, what Sydent
// runs for invitation subjects) during development and pasted here; Python is not needed to run this.
import assert from "node:assert/strict";
import { test } from "node:test";
import { encodeHeaderValue } from "./header-encode.js";

const PYTHON: [string, string][] = [
  ["Alice has invited you to chat", "=?utf8?q?Alice_has_invited_you_to_chat?="],
  [
    "Alice Liddell-Wonde\u2026 has invited you to chat",
    "=?utf8?q?Alice_Liddell-Wonde=E2=80=A6_has_invited_you_to_chat?=",
  ],
  ["", ""],
  ["x".repeat(100), `=?utf8?q?${"x".repeat(67)}?=\n =?utf8?q?${"x".repeat(33)}?=`],
  [
    "\u00e9".repeat(60),
    "=?utf8?b?w6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOp?=\n" +
      " =?utf8?b?w6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOp?=\n" +
      " =?utf8?b?w6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOp?=",
  ],
  [
    "Bob has invited you to a space ".repeat(5),
    "=?utf8?q?Bob_has_invited_you_to_a_space_Bob_has_invited_you_to_a_space_Bob_h?=\n" +
      " =?utf8?q?as_invited_you_to_a_space_Bob_has_invited_you_to_a_space_Bob_has_i?=\n" +
      " =?utf8?q?nvited_you_to_a_space_?=",
  ],
  [
    "J\u00fcrgen Stra\u00dfe hat Sie zu \u201eTee & Kuchen\u201c eingeladen \u2013 bitte kommen Sie! \u{1F407}\u{1F407}",
    "=?utf8?b?SsO8cmdlbiBTdHJhw59lIGhhdCBTaWUgenUg4oCeVGVlICYgS3VjaGVu4oCcIGVp?=\n" +
      " =?utf8?b?bmdlbGFkZW4g4oCTIGJpdHRlIGtvbW1lbiBTaWUhIPCfkIfwn5CH?=",
  ],
  [
    "\u65e5\u672c\u8a9e\u306e\u62db\u5f85\u72b6\u3067\u3059\u3002\u3088\u308d\u3057\u304f\u304a\u9858" +
      "\u3044\u3057\u307e\u3059\u3002\u65e5\u672c\u8a9e\u306e\u62db\u5f85\u72b6\u3067\u3059\u3002",
    "=?utf8?b?5pel5pys6Kqe44Gu5oub5b6F54q244Gn44GZ44CC44KI44KN44GX44GP44GK6aGY?=\n" +
      " =?utf8?b?44GE44GX44G+44GZ44CC5pel5pys6Kqe44Gu5oub5b6F54q244Gn44GZ44CC?=",
  ],
  [
    "\u{1F407}".repeat(30),
    "=?utf8?b?8J+Qh/CfkIfwn5CH8J+Qh/CfkIfwn5CH8J+Qh/CfkIfwn5CH8J+Qh/CfkIfwn5CH?=\n" +
      " =?utf8?b?8J+Qh/CfkIfwn5CH8J+Qh/CfkIfwn5CH8J+Qh/CfkIfwn5CH8J+Qh/CfkIfwn5CH?=\n" +
      " =?utf8?b?8J+Qh/CfkIfwn5CH8J+Qh/CfkIfwn5CH?=",
  ],
  ["100% = 1?_=/+*!-", "=?utf8?b?MTAwJSA9IDE/Xz0vKyohLQ==?="],
  [`${"a".repeat(66)}\u00e9`, `=?utf8?q?${"a".repeat(66)}?=\n =?utf8?q?=C3=A9?=`],
  [`\u00e9\u00e9${"a".repeat(60)}`, `=?utf8?q?=C3=A9=C3=A9${"a".repeat(55)}?=\n =?utf8?q?aaaaa?=`],
  // Line breaks: each line is encoded on its own and starts with an encoded space.
  ["line one\nline two", "=?utf8?q?line_one?=\n =?utf8?q?_line_two?="],
  ["a\r\n\t  b\n", "=?utf8?q?a?=\n =?utf8?q?_b?="],
  ["Evil\nBcc: victim@example.org", "=?utf8?q?Evil?=\n =?utf8?q?_Bcc=3A_victim=40example=2Eorg?="],
  ["\nstarts with a break", " =?utf8?q?_starts_with_a_break?="],
  ["a\n\nb", "=?utf8?q?a?=\n =?utf8?q?_?=\n =?utf8?q?_b?="],
  ["a\x1cb", "=?utf8?q?a?=\n =?utf8?q?_b?="],
  ["a\u2028\x1f\u3000b", "=?utf8?q?a?=\n =?utf8?q?_b?="],
  ["a\x1fb", "=?utf8?b?YR9i?="],
  ["a\x85b\r", "=?utf8?q?a?=\n =?utf8?q?_b?="],
  [
    `short\n${"y".repeat(80)}`,
    `=?utf8?q?short?=\n =?utf8?q?_${"y".repeat(66)}?=\n =?utf8?q?${"y".repeat(14)}?=`,
  ],
];

test("header values are encoded byte for byte as Python's email.header.Header(v, 'utf8')", () => {
  for (const [value, expected] of PYTHON)
    assert.equal(encodeHeaderValue(value), expected, JSON.stringify(value));
});

test("no encoded line lets a value inject a header", () => {
  const encoded = encodeHeaderValue("x\r\nBcc: a@b\rTo: c@d\u2028Cc: e@f");
  for (const line of encoded.split("\n").slice(1)) assert.ok(line.startsWith(" =?utf8?"), line);
  assert.doesNotMatch(encoded, /\r/);
});

// Speed is for benchmarks, not tests (a loaded machine makes any time limit flaky).
test("a long value is folded into lines of at most 78 characters", () => {
  const encoded = encodeHeaderValue("\u00e9a".repeat(50_000));
  assert.ok(encoded.split("\n").every((line) => line.length <= 78));
});
