// The commented example configuration printed by `cairn generate-config`: every section and key of
// the schema with its meaning and default. Keys Sydent writes on first start are set (to their
// defaults, environment applied, as Sydent would write them); the others are shown commented out.
// Loading the result gives the same configuration as starting without a file.
import { defaultValue, SCHEMA, type KeySpec } from "./schema.js";

const WIDTH = 100;
const SAMPLE_NAMES: Record<string, string> = { "<cc>": "44", "<name>": "peer.example.net" };

const HEADER = `# Cairn configuration, in Sydent's sydent.conf format (Sydent reads it too, ignoring Cairn's sections).
#
# Syntax (Python ConfigParser): "key = value" in [sections]; whole-line comments start with # or ;
# (text after a value is part of the value); indented lines continue the previous value; a value in
# [DEFAULT] applies to every section that does not set it; %(key)s inserts another key of the same
# section or [DEFAULT], so a literal % must be written %%.
#
# Keys that are commented out are unset or read with their default; remove the # to set them.
`;

function wrap(text: string): string[] {
  const lines: string[] = [];
  let line = "#";
  for (const word of text.split(" ")) {
    if (line.length + 1 + word.length > WIDTH && line !== "#") {
      lines.push(line);
      line = "#";
    }
    line += ` ${word}`;
  }
  return [...lines, line];
}

const sample = (text: string): string => text.replace(/<cc>|<name>/g, (m) => SAMPLE_NAMES[m] ?? m);

function describeDefault(s: KeySpec): string {
  const shown = s.defaultText ?? (s.default === "" ? "empty" : s.default);
  const env = s.env ? ` ($${s.env} when set)` : "";
  return shown === null ? "Unset by default." : `Default: ${shown}${env}.`;
}

function entry(s: KeySpec, env: Readonly<Record<string, string | undefined>>): string[] {
  const value = s.firstRun ? (defaultValue(s, env) ?? "") : (s.example ?? s.default ?? "");
  const assignment = `${sample(s.key)} = ${value}`.replaceAll("\n", "\n#");
  return [...wrap(`${s.meaning} ${describeDefault(s)}`), s.firstRun ? assignment : `# ${assignment}`];
}

export function renderExampleConfig(env: Readonly<Record<string, string | undefined>> = {}): string {
  const sections = [...new Set(SCHEMA.map((s) => s.section))];
  const blocks = sections.map((section) => {
    const keys = SCHEMA.filter((s) => s.section === section);
    const cairn = keys.every((s) => s.cairn) ? "# Cairn only (Sydent ignores this section).\n" : "";
    const header = section.includes("<") ? `# [${sample(section)}]` : `[${section}]`;
    const intro = section.includes("<")
      ? "# One such section per replication peer, named after its server name.\n"
      : "";
    return `${cairn}${intro}${header}\n${keys.map((s) => entry(s, env).join("\n")).join("\n\n")}\n`;
  });
  return `${HEADER}\n${blocks.join("\n")}`;
}
