// Checks `email.from`: one RFC 5322 mailbox, `addr-spec` or `display-name <addr-spec>`.
// Sydent only asks Python's `email.utils.parseaddr` for a non-empty result, which almost any text
// passes; Cairn wants a real address since it goes into every envelope and From header. Accepted:
// - local part: dot-atom or quoted string; domain: dot-atom or [domain literal];
// - display name: words (atoms or quoted strings) separated by spaces, dots allowed (obsolete
//   RFC 5322 phrases such as `J. Smith`);
// - non-ASCII letters anywhere atoms are allowed (RFC 6532).
// Not accepted: comments `(...)`, folding, several addresses, source routes. Sydent's default,
// `Sydent Validation <noreply@{hostname}>`, passes: braces are legal atom characters.

const ATEXT = String.raw`[A-Za-z0-9!#$%&'*+/=?^_\`{|}~\-\u0080-\uFFFF]`;
const DOT_ATOM = `${ATEXT}+(?:\\.${ATEXT}+)*`;
const QUOTED = String.raw`"(?:[\x20\x21\x23-\x5B\x5D-\x7E\u0080-\uFFFF]|\\[\x20-\x7E])*"`;
const DOMAIN_LITERAL = String.raw`\[[\x21-\x5A\x5E-\x7E]*\]`;
const ADDR_SPEC = new RegExp(`^(?:${DOT_ATOM}|${QUOTED})@(?:${DOT_ATOM}|${DOMAIN_LITERAL})$`);
const ATOM_AT = new RegExp(`${ATEXT}+`, "y");
const QUOTED_AT = new RegExp(QUOTED, "y");

export function isValidMailbox(text: string): boolean {
  const t = text.trim();
  if (ADDR_SPEC.test(t)) return true;
  if (!t.endsWith(">")) return false;
  // The display name: words (atoms, quoted strings) with spaces and dots between them, up to `<`.
  let i = 0;
  let words = 0;
  while (i < t.length && t[i] !== "<") {
    if (t[i] === " " || t[i] === "\t" || t[i] === ".") {
      i += 1;
      continue;
    }
    const token = t[i] === '"' ? QUOTED_AT : ATOM_AT;
    token.lastIndex = i;
    const match = token.exec(t);
    if (!match) return false;
    i += match[0].length;
    words += 1;
  }
  const named = t.slice(0, i).trim() !== "";
  return (!named || words > 0) && ADDR_SPEC.test(t.slice(i + 1, -1));
}
