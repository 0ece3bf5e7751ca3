// An INI reader that follows Python's `configparser.ConfigParser()` with default options, because
// sydent.conf is read that way and operators' files depend on its exact rules:
// - option names are lower-cased, section names are kept as written;
// - `key = value` or `key: value` (the first `=` or `:` ends the name), both sides trimmed;
// - whole-line comments start with `#` or `;` (after optional indentation); there are no inline comments;
// - a line indented deeper than its option's line continues the value (joined with "\n"), and blank
//   lines inside such a value are kept, trailing ones dropped;
// - `[DEFAULT]` holds fall-back values for every section and may be opened more than once;
// - a section or option given twice is an error, as is an option before any section or a line that
//   is neither. Unlike Python, which stops at the first of these, every problem is reported.
// Values are stored raw; interpolation happens on read (ini-lookup.ts).
import type { ConfigProblem } from "./problems.js";

export const DEFAULT_SECTION = "DEFAULT";

export interface IniOption {
  /** Lower-cased option name. */
  name: string;
  /** Raw value: continuation lines joined with "\n". */
  value: string;
  /** 1-based line of `name = value`. */
  line: number;
  /** 1-based last line of the value (the same as `line` unless it continues). */
  endLine: number;
}

export interface IniSection {
  name: string;
  /** 1-based line of the (first) header. */
  line: number;
  options: Map<string, IniOption>;
}

export interface IniDocument {
  file: string;
  /** `[DEFAULT]`, or `null` when the file has no such header. */
  defaults: IniSection | null;
  /** Every other section, in file order. */
  sections: Map<string, IniSection>;
  problems: ConfigProblem[];
}

const SECTION_HEADER = /^\[(.+)\]/;
const OPTION_LINE = /^(.*?)\s*([=:])\s*(.*)$/;

/** Splits like Python's universal newlines (`\r\n`, `\r` and `\n` all end a line), dropping a byte-order mark. */
function splitLines(text: string): string[] {
  const body = text.startsWith("\uFEFF") ? text.slice(1) : text;
  const lines = body.split(/\r\n|\r|\n/);
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return lines;
}

export function parseIni(text: string, file: string): IniDocument {
  const doc: IniDocument = { file, defaults: null, sections: new Map(), problems: [] };
  const problem = (line: number, message: string, section?: string, key?: string): void => {
    doc.problems.push({ file, line, section, key, message });
  };

  let current: IniSection | null = null;
  // The option that continuation lines extend; `pieces` collects its lines until the next option.
  let option: IniOption | null = null;
  let pieces: string[] = [];
  let indent = Number.MAX_SAFE_INTEGER;
  const seenSections = new Set<string>();

  const finish = (): void => {
    if (option) {
      while (pieces.length > 0 && pieces[pieces.length - 1] === "") pieces.pop();
      option.value = pieces.join("\n");
    }
    option = null;
    pieces = [];
  };

  splitLines(text).forEach((raw, index) => {
    const lineNo = index + 1;
    const text = raw.trim();
    const isComment = text.startsWith("#") || text.startsWith(";");
    if (text === "" || isComment) {
      // A blank line may sit inside a multi-line value; a comment line is skipped without a trace.
      if (!isComment && option) pieces.push("");
      return;
    }
    const lineIndent = raw.search(/\S/);
    if (option && lineIndent > indent) {
      pieces.push(text);
      option.endLine = lineNo;
      return;
    }
    finish();
    indent = lineIndent;

    const header = SECTION_HEADER.exec(text);
    if (header) {
      const name = text.slice(1, text.lastIndexOf("]"));
      if (name === DEFAULT_SECTION) {
        doc.defaults ??= { name, line: lineNo, options: new Map() };
        current = doc.defaults;
      } else if (seenSections.has(name)) {
        problem(lineNo, `section [${name}] already appears on line ${doc.sections.get(name)?.line}`, name);
        current = { name, line: lineNo, options: new Map() }; // read on, but keep the first
      } else {
        seenSections.add(name);
        current = { name, line: lineNo, options: new Map() };
        doc.sections.set(name, current);
      }
      return;
    }
    if (!current) {
      problem(lineNo, "option outside any section: the file must start with a [section] header");
      return;
    }
    const match = OPTION_LINE.exec(text);
    const rawName = match?.[1];
    if (match === null || rawName === undefined || rawName === "") {
      problem(
        lineNo,
        `cannot parse line ${JSON.stringify(text)}: expected "key = value" or "[section]"`,
        current.name,
      );
      return;
    }
    const name = rawName.trimEnd().toLowerCase();
    const entry: IniOption = { name, value: "", line: lineNo, endLine: lineNo };
    const earlier = current.options.get(name);
    if (earlier) {
      problem(
        lineNo,
        `option given twice in this section (first on line ${earlier.line})`,
        current.name,
        name,
      );
    } else {
      current.options.set(name, entry);
    }
    option = entry;
    pieces = [match[3] ?? ""];
  });
  finish();
  return doc;
}
