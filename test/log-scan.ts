// The log scan of a test run: every line of every log file in the run's log directory is checked
// for the secrets the tests registered, the Sydent fixtures' secrets (tokens, client secrets,
// addresses, signing keys), and anything shaped like an email address, an international phone
// number, a client secret, a token or a private key. A finding names the file and line, with the
// secret itself masked so the report does not leak it further.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fixturePath } from "./fixtures.js";
import { SECRETS_FILE } from "./log-secrets.js";

export interface Finding {
  file: string;
  line: number;
  kind: string;
  /** The line with every secret found in it replaced by `<kind>`, cut to 400 characters. */
  masked: string;
}

const PATTERNS: [string, RegExp][] = [
  ["email address", /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g],
  ["phone number", /\+\d(?:[ .-]?\d){6,14}(?!\d)/g],
  ["client secret", /client_?secret(?:\\?"\s*:\s*\\?"|=)(?!<redacted>)[^"&\s\\]+/gi],
  ["token", /\b(?:access_token|token)(?:\\?"\s*:\s*\\?"|=)(?!<redacted>)[^"&\s\\]+/g],
  ["bearer token", /Bearer\s+(?!<redacted>)[A-Za-z0-9._~+/=-]{4,}/g],
  ["private key", /-----BEGIN [A-Z ]*PRIVATE KEY-----/g],
];

// Registered secrets shorter than this would match by chance (a 6-digit SMS code is the shortest).
const MIN_SECRET = 6;

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** A matcher for literal secrets, each only as a whole word (not inside a longer run of letters or digits). */
function secretPattern(secrets: Iterable<string>): RegExp | null {
  const unique = [...new Set(secrets)].filter((s) => s.length >= MIN_SECRET);
  if (unique.length === 0) return null;
  unique.sort((a, b) => b.length - a.length);
  return new RegExp(`(?<![A-Za-z0-9])(?:${unique.map(escape).join("|")})(?![A-Za-z0-9])`, "g");
}

/** Findings in one file's text. */
export function scanText(file: string, text: string, secrets: Iterable<string>): Finding[] {
  const patterns: [string, RegExp][] = [...PATTERNS];
  const known = secretPattern(secrets);
  if (known) patterns.unshift(["registered secret", known]);
  const findings: Finding[] = [];
  text.split("\n").forEach((line, i) => {
    let masked = line;
    const kinds: string[] = [];
    for (const [kind, re] of patterns) {
      const next = masked.replace(re, `<${kind}>`);
      if (next !== masked) kinds.push(kind);
      masked = next;
    }
    if (kinds.length > 0) {
      findings.push({ file, line: i + 1, kind: kinds.join(", "), masked: masked.slice(0, 400) });
    }
  });
  return findings;
}

/** Strings under secret-sounding keys of the fixtures' facts, and the fixtures' signing key seeds. */
export function fixtureSecrets(): string[] {
  const out: string[] = [];
  const walk = (value: unknown, key: string) => {
    if (typeof value === "string") {
      if (/token|secret|address/i.test(key) && !value.startsWith("@")) out.push(value);
    } else if (Array.isArray(value)) {
      for (const v of value) walk(v, key);
    } else if (value && typeof value === "object") {
      for (const [k, v] of Object.entries(value)) walk(v, k);
    }
  };
  for (const dir of ["current", "v0", "v1", "v2", "v3", "v4", "v5"]) {
    const facts = fixturePath(dir, "facts.json");
    if (existsSync(facts)) walk(JSON.parse(readFileSync(facts, "utf8")), "");
    const conf = fixturePath(dir, "sydent.conf");
    const seed =
      existsSync(conf) && /^ed25519\.signingkey = ed25519 \S+ (\S+)$/m.exec(readFileSync(conf, "utf8"));
    if (seed) out.push(seed[1]!);
  }
  return out;
}

/** Findings in every `*.log` file of a test run's log directory. */
export function scanLogDir(dir: string): Finding[] {
  const registered = join(dir, SECRETS_FILE);
  const secrets = [
    ...fixtureSecrets(),
    ...(existsSync(registered) ? readFileSync(registered, "utf8").split("\n") : []),
  ];
  return readdirSync(dir)
    .filter((name) => name.endsWith(".log"))
    .sort()
    .flatMap((name) => scanText(name, readFileSync(join(dir, name), "utf8"), secrets));
}
