// Reads values the way Python's ConfigParser `get()` does: a section's own option, else `[DEFAULT]`;
// with basic interpolation (`%(name)s` from the same section or `[DEFAULT]`, `%%` for a literal `%`,
// nested references up to a depth of 10, any other `%` an error) unless the read is raw.

/** Where a value came from, for error messages. */
export interface IniValue {
  value: string;
  /** Section the value is written in (`DEFAULT` for fall-backs). */
  section: string;
  /** 1-based line in the file; absent for built-in defaults. */
  line?: number;
}

/** A failed interpolation; `origin` is the value being read. */
export class InterpolationError extends Error {
  constructor(
    message: string,
    readonly origin: IniValue,
  ) {
    super(message);
    this.name = "InterpolationError";
  }
}

const MAX_DEPTH = 10;
const REFERENCE = /^%\(([^)]+)\)s/;

export class IniLookup {
  constructor(
    private readonly defaults: ReadonlyMap<string, IniValue>,
    private readonly sections: ReadonlyMap<string, ReadonlyMap<string, IniValue>>,
  ) {}

  sectionNames(): string[] {
    return [...this.sections.keys()];
  }

  /** Option names visible in `section`: its own, then those of `[DEFAULT]` (as Python's `options()`). */
  options(section: string): string[] {
    const own = [...(this.sections.get(section)?.keys() ?? [])];
    return [...own, ...[...this.defaults.keys()].filter((k) => !own.includes(k))];
  }

  /** The stored (uninterpolated) value, or undefined when neither the section nor `[DEFAULT]` has it. */
  raw(section: string, key: string): IniValue | undefined {
    const name = key.toLowerCase();
    return this.sections.get(section)?.get(name) ?? this.defaults.get(name);
  }

  /** The interpolated value; throws InterpolationError for a bad `%`, a missing reference or a loop. */
  get(section: string, key: string): string | undefined {
    const found = this.raw(section, key);
    if (!found) return undefined;
    const out: string[] = [];
    this.interpolate(section, found, found.value, out, 1);
    return out.join("");
  }

  private interpolate(section: string, origin: IniValue, text: string, out: string[], depth: number): void {
    if (depth > MAX_DEPTH) {
      throw new InterpolationError(
        `%(...)s references nest deeper than ${MAX_DEPTH} levels (a reference loop?)`,
        origin,
      );
    }
    let rest = text;
    while (rest !== "") {
      const at = rest.indexOf("%");
      if (at < 0) {
        out.push(rest);
        return;
      }
      out.push(rest.slice(0, at));
      rest = rest.slice(at);
      const next = rest[1];
      if (next === "%") {
        out.push("%");
        rest = rest.slice(2);
        continue;
      }
      const ref = next === "(" ? REFERENCE.exec(rest) : null;
      if (!ref?.[1]) {
        throw new InterpolationError(
          next === "("
            ? `bad interpolation reference ${JSON.stringify(rest)}: expected %(name)s`
            : `'%' must be followed by '%' or '(' (write a literal % as %%), found ${JSON.stringify(rest)}`,
          origin,
        );
      }
      const target = this.raw(section, ref[1]);
      if (!target) {
        throw new InterpolationError(
          `%(${ref[1]})s refers to an option that is neither in [${section}] nor in [DEFAULT]`,
          origin,
        );
      }
      rest = rest.slice(ref[0].length);
      if (target.value.includes("%")) this.interpolate(section, origin, target.value, out, depth + 1);
      else out.push(target.value);
    }
  }
}
