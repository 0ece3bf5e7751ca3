// Sydent converts `send_attempt` with Python's int(), and quotes the raw value with str() in its
// error message. Both are reproduced here for JSON values and query-string text.

// What int() strips: ASCII whitespace, and non-ASCII characters Python counts as spaces.
const PY_SPACE = "[\\t\\n\\v\\f\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]";
const INT_TEXT = new RegExp(`^${PY_SPACE}*([+-]?)(\\p{Nd}+(?:_\\p{Nd}+)*)${PY_SPACE}*$`, "u");
const DECIMAL_DIGIT = /\p{Nd}/u;

/** The value of one Unicode decimal digit: digits come in runs of ten starting at zero. */
function digitValue(ch: string): number {
  let cp = ch.codePointAt(0) ?? 0;
  let start = cp;
  while (start > 0 && DECIMAL_DIGIT.test(String.fromCodePoint(start - 1))) start--;
  cp -= start;
  return cp % 10;
}

/**
 * Python `int(value)` for a JSON value or query text: integers, booleans, floats (truncated toward
 * zero), and strings of decimal digits (any script) with optional sign, `_` between digits and
 * surrounding whitespace. `null` when Python would raise. Results beyond ±(2^53 − 1) are clamped:
 * only their sign matters to the caller.
 */
export function pythonInt(value: unknown): number | null {
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "number") return Number.isFinite(value) ? clamp(Math.trunc(value)) : null;
  if (typeof value !== "string") return null;
  const match = INT_TEXT.exec(value);
  if (!match) return null;
  const digits = Array.from((match[2] ?? "").replaceAll("_", ""), digitValue).join("");
  const magnitude = clamp(Number(digits));
  return match[1] === "-" && magnitude !== 0 ? -magnitude : magnitude;
}

function clamp(n: number): number {
  return Math.max(-Number.MAX_SAFE_INTEGER, Math.min(Number.MAX_SAFE_INTEGER, n)) + 0;
}

/** Python's repr() of a str, as used inside repr() of lists and dicts. */
function pythonRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    if (ch === "\\" || ch === quote) out += `\\${ch}`;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) out += `\\x${cp.toString(16).padStart(2, "0")}`;
    else out += ch;
  }
  return out + quote;
}

function pythonReprValue(value: unknown): string {
  if (typeof value === "string") return pythonRepr(value);
  return pythonStr(value);
}

/** Python's str() of a value decoded from JSON (None, True, lists and dicts in Python's spelling). */
export function pythonStr(value: unknown): string {
  if (value === null || value === undefined) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  if (typeof value === "string") return value;
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : pythonFloat(value);
  if (Array.isArray(value)) return `[${value.map(pythonReprValue).join(", ")}]`;
  if (typeof value === "object") {
    const items = Object.entries(value).map(([k, v]) => `${pythonRepr(k)}: ${pythonReprValue(v)}`);
    return `{${items.join(", ")}}`;
  }
  return String(value);
}

function pythonFloat(n: number): string {
  const text = String(n);
  return /e/.test(text) ? text.replace(/e([+-])(\d)$/, "e$10$2") : text;
}
