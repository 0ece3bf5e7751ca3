// Reading a terms file in Sydent's format (`terms.sample.yaml`):
//
//   master_version: "master_1_1"
//   docs:
//     terms_of_service:
//       version: "2.0"
//       langs:
//         en: {name: "Terms of Service", url: "https://example.org/terms-2.0-en.html"}
//
// Every problem is reported, with its line, instead of the first one only. Scalars are read as the
// text written (YAML's failsafe schema), so `version: 2.0` means the string "2.0" as the spec wants.
// Beyond Sydent's checks (keys present), values must be text, URLs non-empty, and the file must let
// users consent at all: a document without languages, or no documents, would lock everyone out.
import { isAlias, isMap, isScalar, LineCounter, parseDocument, type Document, type Scalar } from "yaml";
import type { Terms, TermsDocument, TermsLanguage } from "../domain/terms.js";

export interface TermsProblem {
  /** 1-based line in the file, when the problem has a place. */
  line?: number;
  message: string;
}

export type TermsParse = { ok: true; terms: Terms } | { ok: false; problems: TermsProblem[] };

type Path = readonly string[];

class Checker {
  readonly problems: TermsProblem[] = [];
  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  /** Reports a problem at the key `path` names (or the closest one that exists). */
  fail(path: Path, message: string): void {
    const offset = this.offsetOf(path);
    this.problems.push(
      offset === undefined ? { message } : { line: this.lines.linePos(offset).line, message },
    );
  }

  /** Where the key at the end of `path` is written; the document start for the empty path. */
  private offsetOf(path: Path): number | undefined {
    let node = this.doc.contents as unknown;
    let offset = (node as { range?: [number, number, number] } | null)?.range?.[0];
    for (const segment of path) {
      if (isAlias(node)) node = node.resolve(this.doc);
      if (!isMap(node)) break;
      const pair = node.items.find((p) => isScalar(p.key) && p.key.value === segment);
      if (!pair) break;
      offset = (pair.key as Scalar).range?.[0] ?? offset;
      node = pair.value;
    }
    return offset;
  }

  map(value: unknown, path: Path, what: string): Map<string, unknown> | null {
    if (value instanceof Map && [...value.keys()].every((k) => typeof k === "string")) {
      return value as Map<string, unknown>;
    }
    this.fail(path, `${show(path)} must be a mapping of ${what}`);
    return null;
  }

  text(parent: Map<string, unknown>, path: Path, key: string, nonEmpty = false): string | null {
    const value = parent.get(key);
    if (value === undefined || value === null) {
      this.fail(path, `${show([...path, key])} is missing`);
      return null;
    }
    if (typeof value !== "string") {
      this.fail([...path, key], `${show([...path, key])} must be text`);
      return null;
    }
    if (nonEmpty && value.trim() === "") {
      this.fail([...path, key], `${show([...path, key])} is empty`);
      return null;
    }
    return value;
  }
}

const show = (path: Path): string => (path.length === 0 ? "the file" : path.join("."));

function readLanguage(c: Checker, value: unknown, path: Path): TermsLanguage | null {
  const lang = c.map(value, path, "name and url");
  if (!lang) return null;
  const name = c.text(lang, path, "name");
  const url = c.text(lang, path, "url", true);
  return name === null || url === null ? null : { name, url };
}

function readDocument(c: Checker, value: unknown, path: Path): TermsDocument | null {
  const doc = c.map(value, path, "version and langs");
  if (!doc) return null;
  const version = c.text(doc, path, "version");
  const langsPath = [...path, "langs"];
  if (!doc.has("langs")) {
    c.fail(path, `${show(langsPath)} is missing`);
    return null;
  }
  const raw = c.map(doc.get("langs"), langsPath, "language codes to {name, url}");
  if (!raw) return null;
  if (raw.size === 0) c.fail(langsPath, `${show(langsPath)} is empty: nobody could accept this document`);
  const langs = new Map<string, TermsLanguage>();
  for (const [code, entry] of raw) {
    if (code === "version") {
      c.fail(
        [...langsPath, code],
        `${show(langsPath)}: "version" cannot be a language code (GET /terms uses it)`,
      );
      continue;
    }
    const lang = readLanguage(c, entry, [...langsPath, code]);
    if (lang) langs.set(code, lang);
  }
  return version === null || langs.size !== raw.size ? null : { version, langs };
}

export function parseTermsYaml(text: string): TermsParse {
  const lines = new LineCounter();
  const doc = parseDocument(text, { schema: "failsafe", lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((e) => ({ line: lines.linePos(e.pos[0]).line, message: e.message }));
    return { ok: false, problems };
  }
  if (doc.contents === null) return { ok: false, problems: [{ message: "the file is empty" }] };
  const c = new Checker(doc, lines);
  const top = c.map(doc.toJS({ mapAsMap: true }), [], "master_version and docs");
  if (!top) return { ok: false, problems: c.problems };
  const masterVersion = c.text(top, [], "master_version", true);
  const docs = new Map<string, TermsDocument>();
  let rawDocs: Map<string, unknown> | null = null;
  if (!top.has("docs")) c.fail([], "docs is missing");
  else rawDocs = c.map(top.get("docs"), ["docs"], "document names to documents");
  if (rawDocs?.size === 0) {
    c.fail(["docs"], "docs is empty: clients would be shown no terms yet every user would be refused");
  }
  for (const [name, entry] of rawDocs ?? []) {
    const document = readDocument(c, entry, ["docs", name]);
    if (document) docs.set(name, document);
  }
  if (c.problems.length > 0 || masterVersion === null) return { ok: false, problems: c.problems };
  return { ok: true, terms: { masterVersion, docs } };
}
