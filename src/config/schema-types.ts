// The description of one configuration key, and the helper the key tables are written with.

export type ValueKind =
  | "string"
  | "path"
  | "int"
  | "port"
  | "float"
  | "bool" // ConfigParser boolean: 1/yes/true/on, 0/no/false/off, any case; anything else is an error
  | "sydent-bool" // Sydent's own: true only for "true" in any case
  | "list" // comma-separated
  | "lines" // one entry per line (continuation lines)
  | "log-level"
  | "tls-mode"
  | "email"
  | "originators"
  | "sms-rule"
  | "sms-provider"
  | "signing-key"
  | "url";

export interface KeySpec {
  section: string;
  /** Spelled as Sydent documents it (`bodyTemplate`); looked up lower-cased. `<cc>`/`<name>` mark a pattern. */
  key: string;
  /** Value when the file does not set it; `null`: unset (the feature is off). */
  default: string | null;
  /** Environment variable whose value, when set, replaces the default. */
  env?: string;
  kind: ValueKind;
  /** Written by Sydent into a new config file on first start. */
  firstRun: boolean;
  /** A Cairn addition (Sydent does not know it). */
  cairn?: true;
  /** Shown instead of `default` in documentation (e.g. a fraction). */
  defaultText?: string;
  /** Sample value for the example config, for keys without a default. */
  example?: string;
  /** One line: what the key does. */
  meaning: string;
}

/** A key with a default is written on first run unless `extra` says otherwise. */
export const key = (
  section: string,
  name: string,
  def: string | null,
  kind: ValueKind,
  meaning: string,
  extra: Partial<KeySpec> = {},
): KeySpec => ({ section, key: name, default: def, kind, firstRun: def !== null, meaning, ...extra });

/** For keys Sydent reads with a fall-back value only: it never writes them into a new file. */
export const notWritten = { firstRun: false } as const;
