// The two JSON encoders Sydent's bytes come from, both Python's json module underneath:
// - canonicalJson: Matrix canonical JSON (what signatures cover): keys sorted by code point,
//   no whitespace, UTF-8 text with only `"`, `\` and C0 controls escaped.
// - pythonJsonDumps: `json.dumps(value)` defaults, the format of Sydent's HTTP bodies and of the
//   `sgAssoc` column: `", "`/`": "` separators, keys in insertion order, everything outside
//   printable ASCII as lower-case `\uXXXX` (astral characters as surrogate pairs).
// Values: null, booleans, strings, finite numbers, bigints (integers beyond 2^53), arrays and
// plain objects. Anything else (undefined, NaN, Infinity, functions, symbols, class instances,
// cycles) throws a TypeError naming where it was found. JavaScript caveat for pythonJsonDumps:
// an object's integer-like keys ("1", "42") always come first, whatever the insertion order.

import { hasLoneSurrogate } from "./utf8.js";

interface Style {
  sortKeys: boolean;
  itemSeparator: string;
  keySeparator: string;
  quote: (text: string, path: readonly (string | number)[]) => string;
}

const SHORT_ESCAPES: Record<string, string> = {
  '"': '\\"',
  "\\": "\\\\",
  "\b": "\\b",
  "\f": "\\f",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
};

const escapeChar = (char: string): string =>
  SHORT_ESCAPES[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`;

// eslint-disable-next-line no-control-regex -- C0 controls are exactly what must be escaped
const CANONICAL_ESCAPES = /["\\\u0000-\u001f]/g;
const ASCII_ESCAPES = /["\\]|[^\u0020-\u007e]/g;

/**
 * Orders strings by Unicode code point, as Python sorts str keys. JavaScript's default compares
 * UTF-16 units, which puts astral characters (surrogates, 0xD800-0xDFFF) before U+E000-U+FFFF.
 */
export function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return rank(x) - rank(y);
  }
  return a.length - b.length;
}

const rank = (unit: number): number => (unit < 0xd800 ? unit : unit < 0xe000 ? unit + 0x2000 : unit - 0x800);

const canonical: Style = {
  sortKeys: true,
  itemSeparator: ",",
  keySeparator: ":",
  quote(text, path) {
    if (hasLoneSurrogate(text)) fail("a string with a lone surrogate (not valid UTF-8)", path);
    return `"${text.replace(CANONICAL_ESCAPES, escapeChar)}"`;
  },
};

const pythonDefault: Style = {
  sortKeys: false,
  itemSeparator: ", ",
  keySeparator: ": ",
  quote: (text) => `"${text.replace(ASCII_ESCAPES, escapeChar)}"`,
};

/** Matrix canonical JSON of `value`, as a string (see canonicalJsonBytes for what gets signed). */
export function canonicalJson(value: unknown): string {
  return encode(value, canonical, [], new Set());
}

/** The UTF-8 bytes of canonicalJson(value): what a Matrix signature covers. */
export function canonicalJsonBytes(value: unknown): Buffer {
  return Buffer.from(canonicalJson(value), "utf8");
}

/** Python's `json.dumps(value)` with default arguments. */
export function pythonJsonDumps(value: unknown): string {
  return encode(value, pythonDefault, [], new Set());
}

function encode(value: unknown, style: Style, path: (string | number)[], open: Set<object>): string {
  switch (typeof value) {
    case "string":
      return style.quote(value, path);
    case "number":
      return formatNumber(value, path);
    case "bigint":
      return value.toString();
    case "boolean":
      return value ? "true" : "false";
    case "object":
      if (value === null) return "null";
      return encodeContainer(value, style, path, open);
    default:
      return fail(typeof value, path);
  }
}

function encodeContainer(value: object, style: Style, path: (string | number)[], open: Set<object>): string {
  if (open.has(value)) fail("a circular reference", path);
  const parts: string[] = [];
  open.add(value);
  let result: string;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      path.push(i);
      parts.push(encode(value[i], style, path, open));
      path.pop();
    }
    result = `[${parts.join(style.itemSeparator)}]`;
  } else {
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) fail(`an instance of ${className(value)}`, path);
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record);
    if (style.sortKeys) keys.sort(compareCodePoints);
    for (const key of keys) {
      path.push(key);
      parts.push(style.quote(key, path) + style.keySeparator + encode(record[key], style, path, open));
      path.pop();
    }
    result = `{${parts.join(style.itemSeparator)}}`;
  }
  open.delete(value);
  return result;
}

/**
 * Integers print as integers (a double beyond 2^53 prints its exact value). Other finite numbers
 * print as Python's float repr: JavaScript's shortest round-trip digits, but with an exponent
 * below 1e-4 and at least two exponent digits (`1e-05`). A JavaScript number cannot say whether
 * the JSON text it came from was `1` or `1.0`; both print as `1`.
 */
function formatNumber(value: number, path: readonly (string | number)[]): string {
  if (!Number.isFinite(value)) return fail(String(value), path);
  if (Number.isInteger(value)) return Number.isSafeInteger(value) ? String(value) : BigInt(value).toString();
  if (Math.abs(value) >= 1e-4) return String(value);
  const [mantissa, exponent] = value.toExponential().split("e-");
  return `${mantissa}e-${(exponent ?? "").padStart(2, "0")}`;
}

function className(value: object): string {
  const name: unknown = value.constructor?.name;
  return typeof name === "string" && name !== "" ? name : "a class";
}

function fail(what: string, path: readonly (string | number)[]): never {
  const where = path.map((p) => (typeof p === "number" ? `[${p}]` : `[${JSON.stringify(p)}]`)).join("");
  throw new TypeError(`cannot encode ${what} as JSON at $${where}`);
}
