import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { percentFormat, TemplateError } from "./percent-format.js";

describe("percentFormat (Python `template % mapping`)", () => {
  test("fills %(name)s and turns %% into %", () => {
    assert.equal(percentFormat("<p>%(message)s</p> 100%%", { message: "Done" }), "<p>Done</p> 100%");
  });

  test("keys may hold dots and nested parentheses, as in Python", () => {
    assert.equal(percentFormat("%(org.matrix.x)s %(a(b))s", { "org.matrix.x": "1", "a(b)": "2" }), "1 2");
  });

  // Computed with Python 3.11: '%(a)5s|%(a)-5s|%(a).2s|%(a)-6.3s|%%|%(a(b))s' % {'a':'héllo','a(b)':'x'}
  // and '%(a)+5s|%(a) 5s|%(a)#5s|%(a)05s|%(a)ls' % {'a':'ab'}.
  test("width, precision and flags work as Python's on strings", () => {
    assert.equal(
      percentFormat("%(a)5s|%(a)-5s|%(a).2s|%(a)-6.3s|%%|%(a(b))s", { a: "héllo", "a(b)": "x" }),
      "héllo|héllo|hé|hél   |%|x",
    );
    assert.equal(
      percentFormat("%(a)+5s|%(a) 5s|%(a)#5s|%(a)05s|%(a)ls", { a: "ab" }),
      "   ab|   ab|   ab|   ab|ab",
    );
  });

  test("values are inserted as they are (no escaping, no re-interpretation)", () => {
    assert.equal(percentFormat("%(a)s", { a: "%(b)s <&>" }), "%(b)s <&>");
  });

  for (const [template, why] of [
    ["%(b)s", "a missing key"],
    ["100%;", "a stray %"],
    ["abc%", "a % at the end"],
    ["%(a)d", "a numeric conversion"],
    ["%(a)", "no conversion"],
    ["%(a)*s", "a * width"],
    ["%s", "a conversion without key"],
    ["%(a", "an unclosed key"],
  ]) {
    test(`refuses ${why}: ${template}`, () => {
      assert.throws(() => percentFormat(template ?? "", { a: "x" }), TemplateError);
    });
  }
});
