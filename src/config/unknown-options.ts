// Warnings for options and sections Cairn does not know: Sydent ignores them silently, so a typo
// (`clientapi.http.prot`) goes unnoticed. Options used only as `%(name)s` interpolation sources and
// everything in [DEFAULT] (which may hold such sources) are not reported.
import { type IniDocument } from "./ini.js";
import { SCHEMA, SPEC_BY_KEY } from "./schema.js";

const KNOWN_SECTIONS = new Set(SCHEMA.map((s) => s.section).filter((s) => !s.includes("<")));
const PATTERNS: Record<string, RegExp> = {
  sms: /^(?:originators|smsrule)\./,
};

export function unknownOptionWarnings(doc: IniDocument): string[] {
  const referenced = new Set<string>();
  const sections = [...(doc.defaults ? [doc.defaults] : []), ...doc.sections.values()];
  for (const section of sections) {
    for (const option of section.options.values()) {
      for (const m of option.value.matchAll(/%\(([^)]+)\)s/g)) referenced.add((m[1] ?? "").toLowerCase());
    }
  }
  const warnings: string[] = [];
  for (const section of doc.sections.values()) {
    const peer = section.name.startsWith("peer.");
    if (!peer && !KNOWN_SECTIONS.has(section.name)) {
      warnings.push(`${doc.file}:${section.line}: unknown section [${section.name}], ignored`);
      continue;
    }
    for (const option of section.options.values()) {
      const known = peer
        ? option.name === "base_replication_url"
        : SPEC_BY_KEY.has(`${section.name} ${option.name}`) ||
          PATTERNS[section.name]?.test(option.name) === true;
      if (!known && !referenced.has(option.name)) {
        warnings.push(
          `${doc.file}:${option.line}: [${section.name}] ${option.name}: unknown option, ignored`,
        );
      }
    }
  }
  return warnings;
}
