// RFC 2047 encoding of a header value exactly as Python's `email.header.Header(value, "utf8")
// .encode()` produces it, which is what Sydent puts in invitation subjects (`subject_header_value`):
// every value is encoded, even pure ASCII; the charset label is `utf8`; each line of the value picks
// Q or B encoding, whichever is shorter for that line (Q on a tie); encoded words are cut at code
// points so that a line stays within 78 characters (continuation lines 77 plus the leading space),
// and lines are joined with `\n `. A line break inside the value starts a new encoded line whose
// text begins with one (encoded) space, as Python's folding does.

const CHARSET = "utf8";
/** `=?` + `?q?` + `?=` around the charset label. */
const CHROME = 7 + CHARSET.length;
/** Python's email.header.MAXLINELEN. */
const MAX_LINE = 78;
const CONTINUATION = " ";

const utf8 = new TextEncoder();

/** Bytes left as they are by Q encoding; space becomes `_`, everything else `=XX`. */
const Q_SAFE = /^[-!*+/0-9A-Za-z]$/;

function qLength(bytes: Uint8Array): number {
  let n = 0;
  for (const b of bytes) n += b === 0x20 || Q_SAFE.test(String.fromCharCode(b)) ? 1 : 3;
  return n;
}

function qEncode(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) {
    const c = String.fromCharCode(b);
    out += b === 0x20 ? "_" : Q_SAFE.test(c) ? c : `=${b.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

interface Encoding {
  tag: "q" | "b";
  /** Encoded length of a run of `bytes` bytes whose Q length is `qChars`. */
  length(bytes: number, qChars: number): number;
  encode(bytes: Uint8Array): string;
}

const Q: Encoding = { tag: "q", length: (_bytes, qChars) => qChars, encode: qEncode };
const B: Encoding = {
  tag: "b",
  length: (bytes) => Math.ceil(bytes / 3) * 4,
  encode: (bytes) => Buffer.from(bytes).toString("base64"),
};

const word = (encoding: Encoding, text: string): string => {
  const bytes = utf8.encode(text);
  return bytes.length === 0 ? "" : `=?${CHARSET}?${encoding.tag}?${encoding.encode(bytes)}?=`;
};

/** Python's `Charset.header_encode_lines`: the encoded words of one line, each fitting its limit. */
function encodeLine(text: string): string[] {
  const whole = utf8.encode(text);
  const encoding = B.length(whole.length, 0) < qLength(whole) ? B : Q;
  const words: string[] = [];
  let start = 0;
  let bytes = 0;
  let qChars = 0;
  let limit = MAX_LINE - CHROME;
  let offset = 0;
  for (const char of text) {
    const encoded = utf8.encode(char);
    if (encoding.length(bytes + encoded.length, qChars + qLength(encoded)) > limit) {
      words.push(word(encoding, text.slice(start, offset)));
      start = offset;
      bytes = 0;
      qChars = 0;
      limit = MAX_LINE - CONTINUATION.length - CHROME;
    }
    bytes += encoded.length;
    qChars += qLength(encoded);
    offset += char.length;
  }
  words.push(word(encoding, text.slice(start)));
  return words;
}

/** Python's `str.splitlines()` boundaries. */
// eslint-disable-next-line no-control-regex -- Python splits lines at the separators \x1c-\x1e too
const LINE_BREAK = /\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/;
/** What Python's `str.lstrip()` removes that can remain inside a line once it is split. */
// eslint-disable-next-line no-control-regex -- \x1f is white space to Python
const LEADING_SPACE = /^[\t\x1f \xa0\u1680\u2000-\u200a\u202f\u205f\u3000]+/;

/** The header value, RFC 2047-encoded as Python's `Header(value, "utf8").encode()`. */
export function encodeHeaderValue(value: string): string {
  const parts = value.split(LINE_BREAK);
  // Python drops one trailing line break (splitlines), never an inner one.
  if (parts.length > 1 && parts[parts.length - 1] === "") parts.pop();
  const lines: string[] = [];
  parts.forEach((part, i) => {
    const text = i === 0 ? part : ` ${part.replace(LEADING_SPACE, "")}`;
    encodeLine(text).forEach((encoded, j) => {
      const line = (i > 0 || j > 0 ? CONTINUATION : "") + encoded;
      if (line !== "") lines.push(line);
    });
  });
  return lines.join("\n");
}
