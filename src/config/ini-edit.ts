// Writing INI text. Two ways, for two situations:
// - formatIni: a new file in the exact format Python's ConfigParser.write produces (what Sydent writes
//   on first start): `[section]`, `key = value` (an empty value leaves `key = ` with a trailing space),
//   continuation lines prefixed with a tab, a blank line after every section;
// - setIniOption: change one option in an operator's file and leave every other byte alone (comments,
//   order, spelling, line endings), inserting the option or appending its section when absent.
import type { IniDocument } from "./ini.js";

export interface IniSectionText {
  name: string;
  options: ReadonlyArray<readonly [key: string, value: string]>;
}

export function formatIni(sections: readonly IniSectionText[]): string {
  return sections
    .map(({ name, options }) => {
      const body = options.map(([key, value]) => `${key} = ${value.replaceAll("\n", "\n\t")}\n`).join("");
      return `[${name}]\n${body}\n`;
    })
    .join("");
}

interface Line {
  text: string;
  eol: string;
}

function toLines(text: string): { bom: string; lines: Line[] } {
  const bom = text.startsWith("\uFEFF") ? "\uFEFF" : "";
  const parts = text.slice(bom.length).split(/(\r\n|\r|\n)/);
  const lines: Line[] = [];
  for (let i = 0; i < parts.length; i += 2) lines.push({ text: parts[i] ?? "", eol: parts[i + 1] ?? "" });
  // split leaves an empty last piece after a final line break: it is not a line.
  const last = lines[lines.length - 1];
  if (last && last.text === "" && last.eol === "") lines.pop();
  return { bom, lines };
}

/**
 * Returns `text` with `[section] key` set to `value`. `doc` must be `parseIni(text)`. An existing
 * option keeps its indentation, spelling and delimiter, and loses any continuation lines; a new one
 * goes after the section's last option; a missing section is appended at the end of the file.
 */
export function setIniOption(
  text: string,
  doc: IniDocument,
  section: string,
  key: string,
  value: string,
): string {
  const { bom, lines } = toLines(text);
  const eol = lines.find((l) => l.eol !== "")?.eol ?? "\n";
  const target = doc.sections.get(section);
  const existing = target?.options.get(key.toLowerCase());

  if (existing) {
    const first = lines[existing.line - 1];
    const prefix = first ? /^\s*.*?\s*[=:]/.exec(first.text)?.[0] : undefined;
    if (first === undefined || prefix === undefined)
      throw new Error("setIniOption: document does not match text");
    const last = lines[existing.endLine - 1] ?? first;
    lines.splice(existing.line - 1, existing.endLine - existing.line + 1, {
      text: `${prefix} ${value}`,
      eol: last.eol,
    });
  } else if (target) {
    const after = Math.max(target.line, ...[...target.options.values()].map((o) => o.endLine));
    const previous = lines[after - 1];
    if (previous && previous.eol === "") previous.eol = eol;
    lines.splice(after, 0, { text: `${key} = ${value}`, eol: previous?.eol ?? eol });
  } else {
    const previous = lines[lines.length - 1];
    if (previous && previous.eol === "") previous.eol = eol;
    if (previous && previous.text.trim() !== "") lines.push({ text: "", eol });
    lines.push({ text: `[${section}]`, eol }, { text: `${key} = ${value}`, eol });
  }
  return bom + lines.map((l) => l.text + l.eol).join("");
}
