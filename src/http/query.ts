// Query strings and form bodies read the way Sydent's Twisted stack reads them: `&`-separated pairs,
// `+` as space, percent-decoded bytes that must be UTF-8, blank values kept, and a parameter given
// more than once dropped altogether (Sydent then usually reports it as missing).
import { MatrixError } from "../errors.js";

const utf8 = new TextDecoder("utf-8", { fatal: true });

function decodeComponent(raw: string): string | null {
  const bytes: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c === 0x2b) {
      bytes.push(0x20);
    } else if (c === 0x25 && /^[0-9a-fA-F]{2}$/.test(raw.slice(i + 1, i + 3))) {
      bytes.push(parseInt(raw.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (c < 0x100) {
      // Node hands request targets and our form bodies over as latin1: one char per byte.
      bytes.push(c);
    } else {
      bytes.push(...Buffer.from(raw[i] ?? "", "utf8"));
    }
  }
  try {
    return utf8.decode(Uint8Array.from(bytes));
  } catch {
    return null;
  }
}

/**
 * Parses `a=1&b=2` into a plain object. Throws `M_INVALID_PARAM` when a key or value is not UTF-8,
 * with Sydent's message.
 */
export function parseQuery(query: string): Record<string, string> {
  const seen = new Map<string, string>();
  const repeated = new Set<string>();
  for (const part of query.split("&")) {
    if (part === "") continue;
    const eq = part.indexOf("=");
    const rawKey = eq === -1 ? part : part.slice(0, eq);
    const rawValue = eq === -1 ? "" : part.slice(eq + 1);
    const key = decodeComponent(rawKey);
    const value = decodeComponent(rawValue);
    if (key === null || value === null) {
      const shown = key ?? rawKey;
      throw new MatrixError("M_INVALID_PARAM", `Parameter ${shown} and its value must be valid UTF-8`);
    }
    if (seen.has(key)) repeated.add(key);
    seen.set(key, value);
  }
  const out = Object.create(null) as Record<string, string>;
  for (const [key, value] of seen) {
    if (!repeated.has(key)) out[key] = value;
  }
  return out;
}

/** The query string of a raw request target (`/path?query`), without the `?`. */
export function rawQuery(url: string): string {
  const q = url.indexOf("?");
  return q === -1 ? "" : url.slice(q + 1);
}
