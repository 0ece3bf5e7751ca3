import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { escapeHtmlJinja, escapeHtmlPython, quoteUrl } from "./escape.js";
import { jinjaUrlencode } from "./jinja.js";

// Expected values were computed with Python 3.11 and Jinja2 3.1: markupsafe.escape(s),
// html.escape(s), urllib.parse.quote(s) and Environment(autoescape=True) `{{ s|urlencode }}`.
const CASES: { input: string; jinja: string; python: string; quoted: string }[] = [
  {
    input: `a&b<c>d"e'f`,
    jinja: "a&amp;b&lt;c&gt;d&#34;e&#39;f",
    python: "a&amp;b&lt;c&gt;d&quot;e&#x27;f",
    quoted: "a%26b%3Cc%3Ed%22e%27f",
  },
  { input: "back\\slash", jinja: "back\\slash", python: "back\\slash", quoted: "back%5Cslash" },
  {
    input: "Tea Party <Mad> & Hatter'…",
    jinja: "Tea Party &lt;Mad&gt; &amp; Hatter&#39;…",
    python: "Tea Party &lt;Mad&gt; &amp; Hatter&#x27;…",
    quoted: "Tea%20Party%20%3CMad%3E%20%26%20Hatter%27%E2%80%A6",
  },
  { input: "é – 🐇", jinja: "é – 🐇", python: "é – 🐇", quoted: "%C3%A9%20%E2%80%93%20%F0%9F%90%87" },
  {
    input: "a b/c?d=e&f#g:h@i!j*k'l(m)n~o_p.q-r+s%t",
    jinja: "a b/c?d=e&amp;f#g:h@i!j*k&#39;l(m)n~o_p.q-r+s%t",
    python: "a b/c?d=e&amp;f#g:h@i!j*k&#x27;l(m)n~o_p.q-r+s%t",
    quoted: "a%20b/c%3Fd%3De%26f%23g%3Ah%40i%21j%2Ak%27l%28m%29n~o_p.q-r%2Bs%25t",
  },
  { input: "", jinja: "", python: "", quoted: "" },
  { input: "AZaz09_.-~/", jinja: "AZaz09_.-~/", python: "AZaz09_.-~/", quoted: "AZaz09_.-~/" },
  { input: "\u0000\u007f", jinja: "\u0000\u007f", python: "\u0000\u007f", quoted: "%00%7F" },
  { input: "Straße", jinja: "Straße", python: "Straße", quoted: "Stra%C3%9Fe" },
];

describe("escaping as Sydent's Python stack does", () => {
  for (const c of CASES) {
    test(JSON.stringify(c.input), () => {
      assert.equal(escapeHtmlJinja(c.input), c.jinja);
      assert.equal(escapeHtmlPython(c.input), c.python);
      assert.equal(quoteUrl(c.input), c.quoted);
      assert.equal(jinjaUrlencode(c.input), c.quoted);
    });
  }

  test("urlencode of undefined is empty, of other values their text", () => {
    assert.equal(jinjaUrlencode(undefined), "");
    assert.equal(jinjaUrlencode(null), "");
    assert.equal(jinjaUrlencode(12), "12");
  });

  test("an unpaired surrogate cannot be URL-encoded (Python refuses it too)", () => {
    assert.throws(() => quoteUrl("a\ud800b"), URIError);
  });
});
