import assert from "node:assert/strict";
import { test } from "node:test";
import { golden } from "../../test/golden.js";
import { asciiLower, casefold } from "./casefold.js";
import { FOLD_COUNT } from "./casefold-data.js";

test("every golden casefold vector gives Sydent's exact output", () => {
  assert.equal(golden.casefold.unicode_version, "14.0.0");
  assert.equal(golden.casefold.items.length, 13);
  for (const item of golden.casefold.items) {
    const folded = casefold(item.input);
    assert.equal(folded, item.output, item.input);
    assert.equal(Buffer.from(folded).toString("hex"), item.output_utf8_hex, item.input);
  }
});

test("folds what toLowerCase() gets wrong", () => {
  const cases: [string, string][] = [
    ["Stra\u00dfe", "strasse"],
    ["\u1e9e", "ss"],
    [
      "\u039f\u0394\u03a5\u03a3 \u03bf\u03b4\u03c5\u03c2",
      "\u03bf\u03b4\u03c5\u03c3 \u03bf\u03b4\u03c5\u03c3",
    ],
    ["\ufb01\ufb02\ufb03", "fiflffi"],
    ["\u00b5", "\u03bc"],
    ["\uab70\uab83\uab89", "\u13a0\u13b3\u13b9"],
    ["\u0587", "\u0565\u0582"],
    ["\u0390", "\u03b9\u0308\u0301"],
    ["\u0149", "\u02bcn"],
    ["\u017f", "s"],
    ["\u1fbc", "\u03b1\u03b9"],
  ];
  for (const [input, folded] of cases) {
    assert.equal(casefold(input), folded, input);
    assert.equal(casefold(`${input}@Example.ORG`), `${folded}@example.org`, input);
    assert.notEqual(input.toLowerCase(), folded, `toLowerCase already handles ${input}`);
  }
});

test("ASCII takes the fast path and only A-Z change", () => {
  assert.equal(casefold("Mixed.Case+Tag@ExAmPlE.CoM"), "mixed.case+tag@example.com");
  assert.equal(casefold(""), "");
  assert.equal(casefold("\u0000\t~@[`{\u007f"), "\u0000\t~@[`{\u007f");
});

test("characters without a folding are kept, lone surrogates included", () => {
  for (const text of ["\u0131stanbul", "i\u0307", "\u01c6", "\u{1f600}", "\u4e2d\u6587", "x\ud800y"]) {
    assert.equal(casefold(text), text, text);
  }
  assert.equal(casefold("Zoe\u0308"), "zoe\u0308", "no normalisation: the combining mark stays");
  assert.equal(casefold("\u{10400}\u0130"), "\u{10428}i\u0307", "astral and one-to-many foldings");
});

test("the decoded table changes exactly the code points the generator recorded", () => {
  let changed = 0;
  for (let cp = 0; cp <= 0x10ffff; cp++) {
    if (cp >= 0xd800 && cp <= 0xdfff) continue;
    const char = String.fromCodePoint(cp);
    if (casefold(char) !== char) changed++;
  }
  assert.equal(changed, FOLD_COUNT);
  assert.equal(FOLD_COUNT, 1530, "Unicode 14.0 has 1530 characters that casefold changes");
});

test("asciiLower changes A-Z only, as SQLite's lower() does", () => {
  assert.equal(asciiLower("Jürgen.STRAßE@Example.DE"), "jürgen.straße@example.de");
  assert.equal(asciiLower("ÉMILE@X"), "Émile@x");
  // Dotted capital I and the Kelvin sign lower to ASCII letters under toLowerCase(), not here.
  assert.equal(asciiLower("\u0130 \u212a K"), "\u0130 \u212a k");
  assert.equal(asciiLower("@[`{"), "@[`{");
});
