// The address part of Python's `email.utils.parseaddr(text)` (Python 3.11, before the 2024 "strict"
// rework), which Sydent uses to accept a recipient and to take the address out of `email.from`.
// It is a lenient tokenizer, not a validator: `a`, `@b` and `a b@c.d` come out unchanged, comments
// are dropped, a display name and angle brackets are peeled off, a second address is ignored.
// Only the first address of the text matters, so that is all this parser reads.

const SPECIALS = '()<>@,:;."[]';
const LWS = " \t";
const ATOM_ENDS = SPECIALS + LWS + "\r\n";
const PHRASE_ENDS = ATOM_ENDS.replace(".", "");

class AddressReader {
  private pos = 0;

  constructor(private readonly text: string) {}

  private peek(): string | undefined {
    return this.text[this.pos];
  }

  private get atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  /** Skips blanks, line breaks and comments; returns the blanks (not the line breaks) skipped. */
  private skip(): string {
    let blanks = "";
    while (!this.atEnd) {
      const c = this.text[this.pos] ?? "";
      if (" \t\r\n".includes(c)) {
        if (LWS.includes(c)) blanks += c;
        this.pos += 1;
      } else if (c === "(") {
        this.delimited("(", ")\r", true);
      } else {
        break;
      }
    }
    return blanks;
  }

  /** The addresses of the next entry of the list (several for a group, none when unparseable). */
  address(): string[] {
    this.skip();
    const start = this.pos;
    const phrase = this.phrase();
    this.skip();
    let found: string[] = [];
    if (this.atEnd) {
      if (phrase.length > 0) found = [phrase[0] ?? ""];
    } else if (this.peek() === "." || this.peek() === "@") {
      this.pos = start;
      found = [this.addrSpec()];
    } else if (this.peek() === ":") {
      this.pos += 1;
      while (!this.atEnd) {
        this.skip();
        if (this.peek() === ";") {
          this.pos += 1;
          break;
        }
        found = [...found, ...this.address()];
      }
    } else if (this.peek() === "<") {
      found = [this.routeAddr()];
    } else if (phrase.length > 0) {
      found = [phrase[0] ?? ""];
    } else if (SPECIALS.includes(this.peek() ?? "")) {
      this.pos += 1;
    }
    this.skip();
    if (this.peek() === ",") this.pos += 1;
    return found;
  }

  /** `<[@route,...:]addr-spec>`: the route is skipped. */
  private routeAddr(): string {
    let expectRoute = false;
    this.pos += 1;
    this.skip();
    let address = "";
    while (!this.atEnd) {
      if (expectRoute) {
        this.domain();
        expectRoute = false;
      } else if (this.peek() === ">") {
        this.pos += 1;
        break;
      } else if (this.peek() === "@") {
        this.pos += 1;
        expectRoute = true;
      } else if (this.peek() === ":") {
        this.pos += 1;
      } else {
        address = this.addrSpec();
        this.pos += 1;
        break;
      }
      this.skip();
    }
    return address;
  }

  private addrSpec(): string {
    const parts: string[] = [];
    const dropTrailingBlank = () => {
      if (parts.length > 0 && (parts[parts.length - 1] ?? "").trim() === "") parts.pop();
    };
    this.skip();
    while (!this.atEnd) {
      let keepBlanks = true;
      const c = this.peek() ?? "";
      if (c === ".") {
        dropTrailingBlank();
        parts.push(".");
        this.pos += 1;
        keepBlanks = false;
      } else if (c === '"') {
        parts.push(`"${this.delimited('"', '"\r', false).replace(/[\\"]/g, "\\$&")}"`);
      } else if (ATOM_ENDS.includes(c)) {
        dropTrailingBlank();
        break;
      } else {
        parts.push(this.atom(ATOM_ENDS));
      }
      const blanks = this.skip();
      if (keepBlanks && blanks !== "") parts.push(blanks);
    }
    if (this.peek() !== "@") return parts.join("");
    this.pos += 1;
    this.skip();
    const domain = this.domain();
    return domain === "" ? "" : `${parts.join("")}@${domain}`;
  }

  private domain(): string {
    let domain = "";
    while (!this.atEnd) {
      const c = this.peek() ?? "";
      if (LWS.includes(c)) {
        this.pos += 1;
      } else if (c === "(") {
        this.delimited("(", ")\r", true);
      } else if (c === "[") {
        domain += `[${this.delimited("[", "]\r", false)}]`;
      } else if (c === ".") {
        this.pos += 1;
        domain += ".";
      } else if (c === "@") {
        return ""; // a second `@`: no address at all
      } else if (ATOM_ENDS.includes(c)) {
        break;
      } else {
        domain += this.atom(ATOM_ENDS);
      }
    }
    return domain;
  }

  /** The text between `begin` and one of `ends`, backslash escapes resolved; comments dropped if allowed. */
  private delimited(begin: string, ends: string, comments: boolean): string {
    if (this.peek() !== begin) return "";
    let out = "";
    let escaped = false;
    this.pos += 1;
    while (!this.atEnd) {
      const c = this.peek() ?? "";
      if (escaped) {
        out += c;
        escaped = false;
      } else if (ends.includes(c)) {
        this.pos += 1;
        break;
      } else if (comments && c === "(") {
        out += this.delimited("(", ")\r", true);
        continue;
      } else if (c === "\\") {
        escaped = true;
      } else {
        out += c;
      }
      this.pos += 1;
    }
    return out;
  }

  private atom(ends: string): string {
    const start = this.pos;
    while (!this.atEnd && !ends.includes(this.peek() ?? "")) this.pos += 1;
    return this.text.slice(start, this.pos);
  }

  /** Words (atoms, dots allowed, and quoted strings) until a special character. */
  private phrase(): string[] {
    const words: string[] = [];
    while (!this.atEnd) {
      const c = this.peek() ?? "";
      if (" \t\r\n".includes(c)) this.pos += 1;
      else if (c === '"') words.push(this.delimited('"', '"\r', false));
      else if (c === "(") this.delimited("(", ")\r", true);
      else if (PHRASE_ENDS.includes(c)) break;
      else words.push(this.atom(PHRASE_ENDS));
    }
    return words;
  }
}

/** `email.utils.parseaddr(text)[1]`: the first address in `text`, or `""`. */
export function parseAddress(text: string): string {
  if (text === "") return "";
  return new AddressReader(text).address()[0] ?? "";
}

/**
 * Sydent's recipient check (`check_valid_email_address`): the text must be exactly one bare
 * address as parseaddr reads it. Cairn also refuses an empty address and control characters (a
 * quoted local part may hold a line break, which would break the message's headers).
 */
export function isAcceptedRecipient(address: string): boolean {
  // eslint-disable-next-line no-control-regex
  return address !== "" && !/[\u0000-\u001f\u007f]/.test(address) && parseAddress(address) === address;
}
