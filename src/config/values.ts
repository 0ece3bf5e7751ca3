// Turning option text into typed values with the rules Sydent applies (Python's int() and float(),
// ConfigParser's booleans, Sydent's own boolean and list helpers). Each parser throws BadValue with a
// message meant for the operator; the reader turns it into a ConfigProblem.
import ipaddr from "ipaddr.js";
import type { Config, EmailTlsMode, SmsOriginator, SmsProvider } from "./types.js";

export class BadValue extends Error {
  override readonly name = "BadValue";
}

const DIGITS = String.raw`\d(?:_?\d)*`;
const INT = new RegExp(`^[+-]?${DIGITS}$`);
const FLOAT = new RegExp(
  String.raw`^[+-]?(?:(?:${DIGITS}(?:\.(?:${DIGITS})?)?|\.${DIGITS})(?:[eE][+-]?${DIGITS})?|inf|infinity|nan)$`,
  "i",
);

/** Python `int(text)`: surrounding whitespace, a sign and `_` between digits are allowed. */
export function parseInt10(text: string): number {
  const t = text.trim();
  if (!INT.test(t)) throw new BadValue(`not an integer: ${JSON.stringify(text)}`);
  const n = Number(t.replaceAll("_", ""));
  if (!Number.isSafeInteger(n)) throw new BadValue(`integer out of range: ${text}`);
  return n;
}

/** Python `float(text)`, which also accepts `inf` and `nan`; callers reject those where they make no sense. */
export function parseFloat10(text: string): number {
  const t = text.trim();
  if (!FLOAT.test(t)) throw new BadValue(`not a number: ${JSON.stringify(text)}`);
  const bare = t.replaceAll("_", "").toLowerCase();
  const sign = bare.startsWith("-") ? -1 : 1;
  if (/^[+-]?inf/.test(bare)) return sign * Infinity;
  if (/^[+-]?nan$/.test(bare)) return NaN;
  return Number(bare);
}

const TRUE = ["1", "yes", "true", "on"];
const FALSE = ["0", "no", "false", "off"];

/** ConfigParser's `getboolean`: 1/yes/true/on and 0/no/false/off in any case; anything else is an error. */
export function parseBoolean(text: string): boolean {
  const t = text.toLowerCase();
  if (TRUE.includes(t)) return true;
  if (FALSE.includes(t)) return false;
  throw new BadValue(`not a boolean: ${JSON.stringify(text)} (use true/false, yes/no, on/off or 1/0)`);
}

/** Sydent's own boolean: true only for "true" in any case, false for anything else. */
export const parseSydentBoolean = (text: string): boolean => text.toLowerCase() === "true";

/** A comma-separated list, entries trimmed, empty entries dropped. */
export const commaList = (text: string): string[] =>
  text
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");

/** One entry per line (a multi-line value), empty lines dropped, duplicates removed (Sydent keeps a set). */
export const lineList = (text: string): string[] => [...new Set(text.split("\n").filter((s) => s !== ""))];

/** A CIDR range, or a single address as a /32 or /128 range, in `address/prefix` form. */
export function parseCidr(text: string): string {
  const [address = "", prefix, extra] = text.split("/");
  const v4 = ipaddr.IPv4.isValidFourPartDecimal(address);
  if (extra !== undefined || !(v4 || (ipaddr.IPv6.isValid(address) && !address.includes("%")))) {
    throw new BadValue(`not an IP address or CIDR range: ${JSON.stringify(text)}`);
  }
  const max = v4 ? 32 : 128;
  if (prefix === undefined) return `${address}/${max}`;
  if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > max) {
    throw new BadValue(`bad prefix length in ${JSON.stringify(text)}: 0 to ${max}`);
  }
  return `${address}/${Number(prefix)}`;
}

const LOG_LEVELS: Record<string, Config["general"]["logLevel"]> = {
  CRITICAL: "fatal",
  FATAL: "fatal",
  ERROR: "error",
  WARNING: "warn",
  WARN: "warn",
  INFO: "info",
  DEBUG: "debug",
  NOTSET: "debug",
};

/**
 * A Python logging level name. Python itself only takes the upper-case names; Cairn also takes them in
 * any case (a superset: every file Sydent accepts is read the same way).
 */
export function parseLogLevel(text: string): Config["general"]["logLevel"] {
  const level = LOG_LEVELS[text.toUpperCase()];
  if (level === undefined) {
    throw new BadValue(
      `unknown log level ${JSON.stringify(text)}: use DEBUG, INFO, WARNING, ERROR or CRITICAL`,
    );
  }
  return level;
}

/** Sydent compares the exact strings: `SSL`/`TLS` implicit TLS, `STARTTLS`, anything else plain. */
export function parseTlsMode(text: string): EmailTlsMode {
  if (text === "SSL" || text === "TLS") return "tls";
  return text === "STARTTLS" ? "starttls" : "plain";
}

const ORIGINATOR_TYPES = ["long", "short", "alpha"] as const;

/** `type:text` items separated by commas, type `long`, `short` or `alpha`, exactly one `:` each. */
export function parseOriginators(text: string): SmsOriginator[] {
  return text.split(",").map((item) => {
    const parts = item.trim().split(":");
    const [type, sender] = parts;
    if (parts.length !== 2 || type === undefined || sender === undefined || sender === "") {
      throw new BadValue(
        `originators must be comma-separated long:<number>, short:<number> or alpha:<text>, got ${JSON.stringify(item.trim())}`,
      );
    }
    const known = ORIGINATOR_TYPES.find((t) => t === type);
    if (!known)
      throw new BadValue(`invalid originator type ${JSON.stringify(type)}: use long, short or alpha`);
    return { type: known, text: sender };
  });
}

export function parseSmsRule(text: string): "allow" | "reject" {
  if (text === "allow" || text === "reject") return text;
  throw new BadValue(`invalid SMS rule ${JSON.stringify(text)}: expected 'allow' or 'reject'`);
}

const SMS_PROVIDERS: readonly SmsProvider[] = ["openmarket", "twilio"];

export function parseSmsProvider(text: string): SmsProvider {
  const provider = SMS_PROVIDERS.find((p) => p === text);
  if (!provider) throw new BadValue(`unknown SMS provider ${JSON.stringify(text)}: use openmarket or twilio`);
  return provider;
}

/** A URL with one of the given schemes (e.g. `["https:", "http:"]`). */
export function parseUrl(text: string, schemes: readonly string[]): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new BadValue(`not a URL: ${JSON.stringify(text)}`);
  }
  if (!schemes.includes(url.protocol)) {
    throw new BadValue(`URL scheme must be ${schemes.map((s) => s.slice(0, -1)).join(" or ")}: ${text}`);
  }
  return text;
}
