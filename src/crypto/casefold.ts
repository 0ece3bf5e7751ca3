// Python's str.casefold(), which Sydent applies to email addresses (and only those) before
// storing, hashing and signing them. Full Unicode 14.0 case folding (CaseFolding.txt statuses C
// and F, so `ß` -> `ss`, `ﬁ` -> `fi`, `ς` -> `σ`), no normalisation, no locale rules. Unlike
// toLowerCase() it folds characters such as ß, ς, µ and Cherokee letters, and maps İ to `i̇`.

import { FOLD_COUNT, FOLD_EXPANSIONS, FOLD_RUNS } from "./casefold-data.js";

const NON_ASCII = /[\u0080-\uffff]/;

/** Folded form of each character that casefold changes, by character (one code point). */
const FOLDS = decode();

export function casefold(text: string): string {
  if (!NON_ASCII.test(text)) return text.toLowerCase();
  let out = "";
  for (const char of text) out += FOLDS.get(char) ?? char;
  return out;
}

/**
 * Lower-cases A-Z only, as SQLite's lower() does: the rule Sydent's lookups match addresses by
 * (so `ÉMILE@x` does not find `émile@x`).
 */
export function asciiLower(text: string): string {
  return text.replace(ASCII_UPPER, (upper) => upper.toLowerCase());
}

const ASCII_UPPER = /[A-Z]+/g;

function decode(): Map<string, string> {
  const folds = new Map<string, string>();
  for (const token of tokens(FOLD_RUNS)) {
    const [start, delta, count = 1, stride = 1] = token.split(".").map(hex);
    if (start === undefined || delta === undefined) throw new Error(`bad casefold run ${token}`);
    for (let i = 0, cp = start; i < count; i++, cp += stride) {
      folds.set(String.fromCodePoint(cp), String.fromCodePoint(cp + delta));
    }
  }
  for (const token of tokens(FOLD_EXPANSIONS)) {
    const [from, to = ""] = token.split(":");
    folds.set(String.fromCodePoint(hex(from ?? "")), String.fromCodePoint(...to.split(".").map(hex)));
  }
  if (folds.size !== FOLD_COUNT)
    throw new Error(`casefold table has ${folds.size} entries, not ${FOLD_COUNT}`);
  return folds;
}

function tokens(data: string): string[] {
  return data.split(/\s+/).filter((t) => t !== "");
}

function hex(text: string): number {
  const value = parseInt(text, 16);
  if (Number.isNaN(value)) throw new Error(`bad number ${JSON.stringify(text)} in casefold data`);
  return value;
}
