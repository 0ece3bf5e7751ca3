// Every configuration key Cairn reads: Sydent's (with Sydent's defaults and meanings) and Cairn's own
// additions, which live in sections Sydent does not have. Within a section, the keys Sydent writes on
// first start come in the order it writes them, so formatting them reproduces its file byte for byte.
import { MESSAGING_KEYS } from "./schema-messaging.js";
import { SERVER_KEYS } from "./schema-server.js";
import { key, notWritten, type KeySpec } from "./schema-types.js";

export type { KeySpec, ValueKind } from "./schema-types.js";

export const SCHEMA: readonly KeySpec[] = [
  ...SERVER_KEYS,
  ...MESSAGING_KEYS,
  // [crypto]
  key(
    "crypto",
    "ed25519.signingkey",
    "",
    "signing-key",
    "Signing key: 'ed25519 <version> <unpadded base64 seed>'. Empty: generated on first start and saved here.",
  ),
  // Cairn: [postgres]
  key(
    "postgres",
    "url",
    "",
    "url",
    "PostgreSQL connection URL (postgres://user:password@host:port/database; write a literal % as %%). Empty: SQLite at [db] db.file.",
    { ...notWritten, cairn: true },
  ),
  key("postgres", "pool_size", "10", "int", "Connections this instance keeps open to PostgreSQL.", {
    ...notWritten,
    cairn: true,
  }),
  // Cairn: [replication]
  key(
    "replication",
    "push_interval_ms",
    "10000",
    "int",
    "Milliseconds between replication pushes to each peer (a bind also pushes at once).",
    { ...notWritten, cairn: true },
  ),
  key(
    "replication",
    "push_batch_size",
    "100",
    "int",
    "Most associations sent to a peer in one push request.",
    { ...notWritten, cairn: true },
  ),
  key(
    "replication",
    "max_backoff_ms",
    "300000",
    "int",
    "Longest wait before retrying a peer whose pushes keep failing (the wait doubles from push_interval_ms).",
    { ...notWritten, cairn: true },
  ),
  // Cairn: [invites]
  key(
    "invites",
    "expiry_days",
    "30",
    "int",
    "Days a third-party invitation stays pending: after that its token no longer signs, its ephemeral key is no longer valid, it is not delivered on bind, and it is deleted. Invitations Sydent stored expire this long after they were received.",
    { ...notWritten, cairn: true },
  ),
  // Cairn: [onbind]
  key(
    "onbind",
    "give_up_after_hours",
    "48",
    "int",
    "Hours Cairn keeps retrying to tell a homeserver about a bind (POST /3pid/onbind, with the invitations for the address) before giving up with a warning. A 4xx answer other than 429 gives up at once.",
    { ...notWritten, cairn: true },
  ),
  // [peer.<name>]
  key(
    "peer.<name>",
    "base_replication_url",
    null,
    "url",
    "Base URL replication pushes to peer <name> go to, instead of https://<name>:<port of its peers row, default 1001>/.",
    { example: "https://peer-internal.example.org:4434" },
  ),
];

/** Sections Sydent always has (created, empty if need be, when it reads a file). */
export const SYDENT_SECTIONS = ["general", "db", "http", "email", "sms", "crypto"] as const;

/** Every key's spec, found by section and (lower-cased) key; pattern keys are not included. */
export const SPEC_BY_KEY: ReadonlyMap<string, KeySpec> = new Map(
  SCHEMA.filter((s) => !s.key.includes("<")).map((s) => [`${s.section} ${s.key.toLowerCase()}`, s]),
);

export function spec(section: string, name: string): KeySpec {
  const found = SPEC_BY_KEY.get(`${section} ${name.toLowerCase()}`);
  if (!found) throw new Error(`no schema entry for [${section}] ${name}`);
  return found;
}

/** The default of a key, with its environment variable applied. */
export function defaultValue(s: KeySpec, env: Readonly<Record<string, string | undefined>>): string | null {
  return (s.env === undefined ? undefined : env[s.env]) ?? s.default;
}

/**
 * The keys and values Sydent writes into a new config file, section by section, in its order:
 * every first-run default (environment applied) plus the given signing key.
 */
export function firstRunSections(
  env: Readonly<Record<string, string | undefined>>,
  signingKeyLine: string,
): { name: string; options: [string, string][] }[] {
  return SYDENT_SECTIONS.map((name) => ({
    name,
    options: SCHEMA.filter((s) => s.section === name && s.firstRun).map((s): [string, string] => [
      s.key.toLowerCase(),
      s.kind === "signing-key" ? signingKeyLine : (defaultValue(s, env) ?? ""),
    ]),
  }));
}
