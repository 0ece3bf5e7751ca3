import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { fixturePath } from "../../test/fixtures.js";
import { policiesOf } from "../domain/terms.js";
import { parseTermsYaml, type TermsProblem } from "./terms-yaml.js";

function problems(text: string): TermsProblem[] {
  const parsed = parseTermsYaml(text);
  assert.equal(parsed.ok, false, "expected problems");
  return parsed.ok ? [] : parsed.problems;
}

/** Policies as plain JSON (they are built on null prototypes). */
const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

const doc = (langs: string) => `master_version: m1\ndocs:\n  tos:\n    version: "1"\n    langs:\n${langs}`;

describe("terms files in Sydent's format", () => {
  test("the fixture file (Sydent's terms.sample.yaml) gives the policies Sydent served", () => {
    const parsed = parseTermsYaml(readFileSync(fixturePath("current", "terms.yaml"), "utf8"));
    assert.ok(parsed.ok);
    assert.equal(parsed.terms.masterVersion, "master_1_1");
    assert.deepEqual([...parsed.terms.docs.keys()], ["terms_of_service", "privacy_policy"]);
    const transcript = JSON.parse(readFileSync(fixturePath("current", "http-transcript.json"), "utf8")) as {
      label: string;
      response: { json: unknown };
    }[];
    const served = transcript.find((e) => e.label === "terms:get")?.response.json;
    // Same members in the same order.
    assert.equal(JSON.stringify({ policies: policiesOf(parsed.terms) }), JSON.stringify(served));
  });

  test("scalars are read as written: unquoted versions stay text", () => {
    const parsed = parseTermsYaml(
      "master_version: 2\ndocs:\n  tos:\n    version: 2.0\n    langs:\n      en: {name: Terms, url: https://t/2.0/en}\n",
    );
    assert.ok(parsed.ok);
    assert.equal(parsed.terms.masterVersion, "2");
    assert.deepEqual(plain(policiesOf(parsed.terms)), {
      tos: { version: "2.0", en: { name: "Terms", url: "https://t/2.0/en" } },
    });
  });

  test("anchors, aliases and extra keys are accepted; extra keys are not served", () => {
    const parsed = parseTermsYaml(
      "master_version: m\nnote: ignored\ndocs:\n  a:\n    version: v\n    owner: legal\n    langs: &l\n" +
        "      en: {name: N, url: https://u, hint: x}\n  b:\n    version: w\n    langs: *l\n",
    );
    assert.ok(parsed.ok);
    assert.deepEqual(plain(policiesOf(parsed.terms)), {
      a: { version: "v", en: { name: "N", url: "https://u" } },
      b: { version: "w", en: { name: "N", url: "https://u" } },
    });
  });

  test("document and language names that are also Object.prototype members are plain keys", () => {
    const parsed = parseTermsYaml(
      "master_version: m\ndocs:\n  __proto__:\n    version: v\n    langs:\n      constructor: {name: N, url: https://u}\n",
    );
    assert.ok(parsed.ok);
    const policies = policiesOf(parsed.terms);
    assert.deepEqual(Object.keys(policies), ["__proto__"]);
    assert.equal(
      JSON.stringify(policies),
      '{"__proto__":{"version":"v","constructor":{"name":"N","url":"https://u"}}}',
    );
  });

  test("every problem is listed with its line", () => {
    const text = [
      "docs:", // 1: master_version missing (reported at the top)
      "  tos:", // 2
      "    langs:", // 3: version missing
      "      en: {name: T}", // 4: url missing
      "      fr: {name: [x], url: ''}", // 5: name not text, url empty
      "  privacy: just text", // 6
      "  empty:", // 7
      "    version: '1'", // 8
      "    langs: {}", // 9
    ].join("\n");
    assert.deepEqual(problems(text), [
      { line: 1, message: "master_version is missing" },
      { line: 2, message: "docs.tos.version is missing" },
      { line: 4, message: "docs.tos.langs.en.url is missing" },
      { line: 5, message: "docs.tos.langs.fr.name must be text" },
      { line: 5, message: "docs.tos.langs.fr.url is empty" },
      { line: 6, message: "docs.privacy must be a mapping of version and langs" },
      { line: 9, message: "docs.empty.langs is empty: nobody could accept this document" },
    ]);
  });

  test("structural mistakes", () => {
    assert.deepEqual(problems(""), [{ message: "the file is empty" }]);
    assert.deepEqual(problems("# only a comment\n"), [{ message: "the file is empty" }]);
    assert.deepEqual(problems("- a\n- b\n"), [
      { line: 1, message: "the file must be a mapping of master_version and docs" },
    ]);
    assert.deepEqual(problems("master_version: m\n"), [{ line: 1, message: "docs is missing" }]);
    assert.deepEqual(problems("master_version: m\ndocs: {}\n"), [
      {
        line: 2,
        message: "docs is empty: clients would be shown no terms yet every user would be refused",
      },
    ]);
    assert.deepEqual(problems("master_version: m\ndocs: [a]\n"), [
      { line: 2, message: "docs must be a mapping of document names to documents" },
    ]);
    assert.deepEqual(
      problems("master_version: {a: b}\ndocs:\n  d: {version: v, langs: {en: {name: n, url: u}}}\n"),
      [{ line: 1, message: "master_version must be text" }],
    );
    assert.deepEqual(problems(doc("      version: {name: n, url: u}\n")), [
      { line: 6, message: 'docs.tos.langs: "version" cannot be a language code (GET /terms uses it)' },
    ]);
    assert.deepEqual(problems("master_version: m\ndocs:\n  tos: {version: v}\n"), [
      { line: 3, message: "docs.tos.langs is missing" },
    ]);
  });

  test("YAML syntax errors and duplicate keys are reported with their line", () => {
    const syntax = problems("master_version: m\ndocs:\n  tos: [unclosed\n");
    assert.ok(syntax.length > 0);
    assert.ok(syntax.every((p) => typeof p.line === "number" && p.message.length > 0));
    assert.deepEqual(problems(doc("      en: {name: a, url: b}\n      en: {name: c, url: d}\n")), [
      { line: 7, message: "Map keys must be unique" },
    ]);
  });
});
