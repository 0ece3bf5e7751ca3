// Loading sydent.conf as Sydent does (behaviour notes §2), with everything the outside world provides
// passed in: environment, working directory, file system, machine names and randomness.
//
// - No file: built-in defaults (environment applied) live in their own sections; a signing key is
//   generated and a complete file is written in Sydent's first-start format.
// - A file: built-in defaults all go into [DEFAULT] (one flat namespace), the file is read over them,
//   so the operator's [DEFAULT] beats built-ins and named sections beat [DEFAULT] (Sydent #590).
//   When the file has no usable key (empty, absent, or the 2014 hex form) only the key line is
//   written back; every other byte of the file stays as the operator wrote it. (Sydent dumps its
//   whole parser state instead, losing comments.)
// Every problem found is reported together in one ConfigError; the file is never written then.
import { resolve } from "node:path";
import { buildConfig, type ConfigFs } from "./build.js";
import { formatIni, setIniOption } from "./ini-edit.js";
import { IniLookup, type IniValue } from "./ini-lookup.js";
import { DEFAULT_SECTION, parseIni, type IniDocument } from "./ini.js";
import { ConfigError, type ConfigProblem } from "./problems.js";
import { Reader } from "./reader.js";
import { firstRunSections, SYDENT_SECTIONS } from "./schema.js";
import { formatSigningKeyLine, parseSigningKeyLine, type SigningKeySeed } from "./signing-key-line.js";
import type { Config } from "./types.js";
import { unknownOptionWarnings } from "./unknown-options.js";

export type { ConfigFs } from "./build.js";
export { ConfigError, formatProblem, type ConfigProblem } from "./problems.js";

export interface LoadConfigOptions {
  /** Config file; default `$SYDENT_CONF`, else `sydent.conf`; relative to `cwd`. */
  path?: string;
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  fs: ConfigFs;
  /** The machine's name: the server name when the file sets none. */
  hostname: () => string;
  /** The machine's fully qualified name: the SMTP EHLO name when the file sets none. */
  fqdn: () => Promise<string>;
  /** 32 random bytes: the seed of a new signing key. */
  generateSeed: () => Buffer;
  /** Case-folding applied to the invite keyword block-list (default: none). */
  casefold?: (s: string) => string;
}

/** Why the config file was written. */
export type ConfigWrite =
  | "created" // there was no file: a complete one was written
  | "key-generated" // the file had no signing key: a new one was added
  | "key-converted"; // the key was in the 2014 hex form: rewritten in the current form

export interface LoadedConfig {
  config: Config;
  /** Things the operator should fix that do not stop the server. */
  warnings: string[];
  /** Whether and why the file was written; `null` when it was left untouched. */
  written: ConfigWrite | null;
}

export async function loadConfig(options: LoadConfigOptions): Promise<LoadedConfig> {
  const { env, fs } = options;
  const file = resolve(options.cwd, options.path ?? (env.SYDENT_CONF || "sydent.conf"));
  let text: string | null;
  try {
    text = fs.readText(file);
  } catch (err) {
    throw new ConfigError([{ file, message: `cannot read the config file: ${describe(err)}` }]);
  }

  const doc = text === null ? null : parseIni(text, file);
  const reader = new Reader(doc ? fileLookup(doc, env) : firstRunLookup(env), file);
  const built = buildConfig({
    reader,
    cwd: options.cwd,
    fs,
    hostname: options.hostname,
    casefold: options.casefold ?? ((s) => s),
  });
  const key = readSigningKey(reader, options.generateSeed);
  const problems: ConfigProblem[] = [...(doc?.problems ?? []), ...reader.problems];
  if (problems.length > 0 || key === null) throw new ConfigError(problems);

  const warnings = [...(doc ? unknownOptionWarnings(doc) : []), ...reader.warnings];
  let written: ConfigWrite | null = null;
  if (key.write) {
    const line = formatSigningKeyLine(key.key);
    const out =
      text === null || doc === null
        ? formatIni(firstRunSections(env, line))
        : setIniOption(text, doc, "crypto", "ed25519.signingkey", line);
    try {
      fs.writeText(file, out);
    } catch (err) {
      throw new ConfigError([
        {
          file,
          section: "crypto",
          key: "ed25519.signingkey",
          message: `cannot save the signing key: ${describe(err)}`,
        },
      ]);
    }
    written = text === null ? "created" : key.legacy ? "key-converted" : "key-generated";
  }
  if (built.email.hostname === "") built.email.hostname = await options.fqdn();
  return { config: { path: file, ...built, crypto: { signingKey: key.key } }, warnings, written };
}

const builtIns = (env: LoadConfigOptions["env"]) =>
  firstRunSections(env, "").flatMap(({ name, options }) =>
    options.map(([key, value]) => ({ name, key, value })),
  );

/** No file: every built-in default in its own section. */
function firstRunLookup(env: LoadConfigOptions["env"]): IniLookup {
  const sections = new Map<string, Map<string, IniValue>>(SYDENT_SECTIONS.map((s) => [s, new Map()]));
  for (const { name, key, value } of builtIns(env)) sections.get(name)?.set(key, { value, section: name });
  return new IniLookup(new Map(), sections);
}

/** A file: built-in defaults in [DEFAULT] under the file's own [DEFAULT], then the file's sections. */
function fileLookup(doc: IniDocument, env: LoadConfigOptions["env"]): IniLookup {
  const fromFile = (section: string, options: Iterable<[string, { value: string; line: number }]>) =>
    [...options].map(([key, o]): [string, IniValue] => [key, { value: o.value, section, line: o.line }]);
  const defaults = new Map<string, IniValue>([
    ...builtIns(env).map(({ key, value }): [string, IniValue] => [key, { value, section: DEFAULT_SECTION }]),
    ...fromFile(DEFAULT_SECTION, doc.defaults?.options ?? []),
  ]);
  const sections = new Map<string, Map<string, IniValue>>();
  for (const [name, section] of doc.sections) sections.set(name, new Map(fromFile(name, section.options)));
  for (const name of SYDENT_SECTIONS) if (!sections.has(name)) sections.set(name, new Map());
  return new IniLookup(defaults, sections);
}

interface KeyOutcome {
  key: SigningKeySeed;
  write: boolean;
  legacy: boolean;
}

/** The signing key, generated when empty; null (with a problem recorded) when malformed. */
function readSigningKey(reader: Reader, generateSeed: () => Buffer): KeyOutcome | null {
  const value = reader.string("crypto", "ed25519.signingkey");
  if (value === "") return { key: { version: "0", seed: generateSeed() }, write: true, legacy: false };
  const parsed = parseSigningKeyLine(value);
  if (!parsed.ok) {
    reader.fail("crypto", "ed25519.signingkey", parsed.error);
    return null;
  }
  return { key: parsed.key, write: parsed.legacy, legacy: parsed.legacy };
}

const describe = (err: unknown): string => (err instanceof Error ? err.message : String(err));
