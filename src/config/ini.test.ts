// The reader against Python's ConfigParser: every expected value below is what Python 3.11's
// ConfigParser() returns for the same text.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { IniLookup, InterpolationError, type IniValue } from "./ini-lookup.js";
import { parseIni } from "./ini.js";

const FILE = "/etc/sydent/sydent.conf";

/** Parses `text` and reads it as Python would (sections over [DEFAULT], interpolation). */
function read(text: string): { lookup: IniLookup; problems: string[] } {
  const doc = parseIni(text, FILE);
  const values = (section: string, options: Map<string, { value: string; line: number }>) =>
    new Map([...options].map(([k, o]): [string, IniValue] => [k, { value: o.value, section, line: o.line }]));
  const lookup = new IniLookup(
    values("DEFAULT", doc.defaults?.options ?? new Map()),
    new Map([...doc.sections].map(([name, s]) => [name, values(name, s.options)])),
  );
  return {
    lookup,
    problems: doc.problems.map((p) => `${p.line} ${p.section ?? "-"} ${p.key ?? "-"} ${p.message}`),
  };
}

const get = (text: string, section: string, key: string): string | undefined =>
  read(text).lookup.get(section, key);

describe("INI syntax", () => {
  test("key = value and key: value, trimmed; the first = or : ends the name", () => {
    const { lookup, problems } = read("[s]\n  a =  1  \nb:2\nempty =\nsp ace = x\n");
    assert.deepEqual(problems, []);
    assert.equal(lookup.get("s", "a"), "1");
    assert.equal(lookup.get("s", "b"), "2");
    assert.equal(read("[s]\na:b = c\n").lookup.get("s", "a"), "b = c");
    assert.equal(lookup.get("s", "empty"), "");
    assert.equal(lookup.get("s", "sp ace"), "x");
  });

  test("option names are case-insensitive, section names are not", () => {
    const { lookup } = read("[sms]\nbodyTemplate = Code {token}\n[General]\nx = 1\n");
    assert.equal(lookup.get("sms", "bodytemplate"), "Code {token}");
    assert.equal(lookup.get("sms", "BODYTEMPLATE"), "Code {token}");
    assert.deepEqual(lookup.sectionNames(), ["sms", "General"]);
    assert.equal(lookup.get("general", "x"), undefined);
  });

  test("whole-line # and ; comments, also indented; no inline comments", () => {
    const { lookup } = read("# top\n[s]\n   # indented\n\t; tab\nk = a # not a comment ; nor this\n");
    assert.equal(lookup.get("s", "k"), "a # not a comment ; nor this");
    assert.deepEqual(lookup.options("s"), ["k"]);
  });

  test("continuation lines join with \\n, keep inner blank lines, skip comments, drop trailing blanks", () => {
    const text = "[s]\nk = evil\n  bad\n\n  # comment\n  worse\n\n\n[t]\nempty_first =\n  a\n  b\n";
    assert.equal(get(text, "s", "k"), "evil\nbad\n\nworse");
    assert.equal(get(text, "t", "empty_first"), "\na\nb");
    assert.equal(get("[s]\nk = 1\n  # c\n  2\n", "s", "k"), "1\n2");
  });

  test("an indented line is a continuation even if it looks like a section header", () => {
    const { lookup } = read("[s]\nk = v\n  [t]\nx = 1\n");
    assert.deepEqual(lookup.sectionNames(), ["s"]);
    assert.equal(lookup.get("s", "k"), "v\n[t]");
  });

  test("options indented alike are separate options", () => {
    const { lookup } = read("[s]\n  k = 1\n  j = 2\n");
    assert.equal(lookup.get("s", "k"), "1");
    assert.equal(lookup.get("s", "j"), "2");
  });

  test("a section header runs to its last ]", () => {
    assert.deepEqual(read("[s]\n[a] x] = 1\n").lookup.sectionNames(), ["s", "a] x"]);
  });

  test("CRLF and CR line ends and a byte-order mark are accepted", () => {
    const { lookup } = read("\uFEFF[s]\r\nk = 1\r\n  2\rj = 3\r\n");
    assert.equal(lookup.get("s", "k"), "1\n2");
    assert.equal(lookup.get("s", "j"), "3");
  });

  test("[DEFAULT] values show in every section unless the section sets them; DEFAULT may reopen", () => {
    const { lookup } = read("[DEFAULT]\na = 1\n[s]\nb = 2\n[DEFAULT]\nb = 3\nc = 4\n[t]\n");
    assert.equal(lookup.get("s", "a"), "1");
    assert.equal(lookup.get("s", "b"), "2");
    assert.equal(lookup.get("t", "b"), "3");
    assert.deepEqual(lookup.options("s"), ["b", "a", "c"]);
  });

  test("duplicates, stray options and unparseable lines are all reported, with line numbers", () => {
    const { problems, lookup } = read("a = 1\n[s]\nk = 1\nK = 2\njunk\n= x\n[s]\nk = 3\n");
    assert.deepEqual(problems, [
      "1 - - option outside any section: the file must start with a [section] header",
      "4 s k option given twice in this section (first on line 3)",
      '5 s - cannot parse line "junk": expected "key = value" or "[section]"',
      '6 s - cannot parse line "= x": expected "key = value" or "[section]"',
      "7 s - section [s] already appears on line 2",
    ]);
    assert.equal(lookup.get("s", "k"), "1", "the first value is kept");
  });
});

describe("interpolation", () => {
  test("%(name)s from the same section or [DEFAULT], resolved in the reading section", () => {
    const text =
      "[DEFAULT]\nroot = /srv\npath = %(dir)s/f\n[db]\ndb.file = %(root)s/sydent.db\n[a]\ndir = /a\n[b]\ndir = /b\n";
    assert.equal(get(text, "db", "db.file"), "/srv/sydent.db");
    assert.equal(get(text, "a", "path"), "/a/f");
    assert.equal(get(text, "b", "path"), "/b/f");
  });

  test("references are case-insensitive, chain, and %% is a literal %", () => {
    const text = "[s]\nx = 50%% off\ny = %(Z)s!\nz = hi\nk = %(a)s\na = x%%y\n";
    assert.equal(get(text, "s", "x"), "50% off");
    assert.equal(get(text, "s", "y"), "hi!");
    assert.equal(get(text, "s", "k"), "x%y");
  });

  test("ten levels of nesting resolve, eleven fail (Python's limit), and so does a loop", () => {
    const chain = (n: number): string =>
      "[s]\n" + Array.from({ length: n }, (_, i) => `v${i} = %(v${i + 1})s\n`).join("") + `v${n} = end\n`;
    assert.equal(get(chain(10), "s", "v0"), "end");
    assert.throws(() => get(chain(11), "s", "v0"), /deeper than 10/);
    assert.throws(() => get("[s]\nk = %(k)s\n", "s", "k"), /deeper than 10/);
  });

  test("any other % is an error naming the value it is in", () => {
    for (const [bad, message] of [
      ["50%", /'%' must be followed by '%' or '\('/],
      ["%x", /'%' must be followed/],
      ["%(x)", /bad interpolation reference/],
      ["%(nope)s", /%\(nope\)s refers to an option that is neither in \[s\] nor in \[DEFAULT\]/],
    ] as const) {
      const { lookup } = read(`[s]\n\nk = ${bad}\n`);
      assert.throws(
        () => lookup.get("s", "k"),
        (err) => err instanceof InterpolationError && message.test(err.message) && err.origin.line === 3,
      );
    }
  });

  test("raw reads return the stored text", () => {
    const { lookup } = read("[email]\nemail.invite.subject = 100% %(sender_display_name)s\n");
    assert.equal(lookup.raw("email", "email.invite.subject")?.value, "100% %(sender_display_name)s");
  });
});
