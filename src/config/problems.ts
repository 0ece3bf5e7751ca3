// Configuration problems are collected, never thrown one at a time: an operator fixing a config file
// should see every mistake in one start attempt. ConfigError carries the full list.

export interface ConfigProblem {
  /** The file the problem is in (absolute path). */
  file: string;
  /** 1-based line of the offending text, when it comes from the file. */
  line?: number;
  /** Section the value was read from or written in (`DEFAULT` for the defaults section). */
  section?: string;
  /** Option name as read (lower-cased). */
  key?: string;
  message: string;
}

/** One line per problem: `file:line: [section] key: message`. */
export function formatProblem(p: ConfigProblem): string {
  const where = p.line === undefined ? p.file : `${p.file}:${p.line}`;
  const what =
    p.section === undefined ? "" : p.key === undefined ? `[${p.section}] ` : `[${p.section}] ${p.key}: `;
  return `${where}: ${what}${p.message}`;
}

export class ConfigError extends Error {
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
    super(`Invalid configuration (${count}):\n${problems.map((p) => `  ${formatProblem(p)}`).join("\n")}`);
    this.name = "ConfigError";
    this.problems = problems;
  }
}
