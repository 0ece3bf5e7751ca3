// Typed reads over an IniLookup that never stop at a bad value: each problem is recorded (with the
// file, line and section where the value is written) and a harmless stand-in is returned, so that one
// start reports every mistake in the file.
import { InterpolationError, type IniLookup, type IniValue } from "./ini-lookup.js";
import { formatProblem, type ConfigProblem } from "./problems.js";
import { spec } from "./schema.js";
import { BadValue, parseBoolean, parseFloat10, parseInt10, parseSydentBoolean } from "./values.js";

/** Keys Sydent reads without interpolation: their `%(...)s` placeholders are filled in later. */
const RAW_KEYS = new Set(["email.invite.subject", "email.invite.subject_space"]);

export class Reader {
  readonly problems: ConfigProblem[] = [];
  readonly warnings: string[] = [];

  constructor(
    readonly lookup: IniLookup,
    readonly file: string,
  ) {}

  /** Records a problem with the value of `[section] key` (located where that value is written). */
  fail(section: string, key: string, message: string, origin?: IniValue): void {
    this.problems.push(this.locate(section, key, message, origin));
  }

  /** Records a warning about `[section] key`, located like a problem. */
  warn(section: string, key: string, message: string): void {
    this.warnings.push(formatProblem(this.locate(section, key, message)));
  }

  private locate(section: string, key: string, message: string, origin?: IniValue): ConfigProblem {
    const at = origin ?? this.lookup.raw(section, key);
    return {
      file: this.file,
      line: at?.line,
      section: at?.line === undefined ? section : at.section,
      key: key.toLowerCase(),
      message,
    };
  }

  /** The value as Sydent's `cfg.get` returns it, or undefined when the key is absent. */
  optional(section: string, key: string): string | undefined {
    const name = key.toLowerCase();
    if (RAW_KEYS.has(name)) return this.lookup.raw(section, name)?.value;
    try {
      return this.lookup.get(section, name);
    } catch (err) {
      if (!(err instanceof InterpolationError)) throw err;
      this.fail(section, name, err.message, err.origin);
      return "";
    }
  }

  /** The value, falling back to the schema default (an unset default reads as empty). */
  string(section: string, key: string): string {
    return this.optional(section, key) ?? spec(section, key).default ?? "";
  }

  /** Applies `parse` to the value; on failure records the problem and returns `fallback`. */
  parsed<T>(section: string, key: string, parse: (text: string) => T, fallback: T): T {
    return this.convert(section, key, this.string(section, key), parse, fallback);
  }

  convert<T>(section: string, key: string, text: string, parse: (text: string) => T, fallback: T): T {
    try {
      return parse(text);
    } catch (err) {
      if (!(err instanceof BadValue)) throw err;
      this.fail(section, key, err.message);
      return fallback;
    }
  }

  int(section: string, key: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
    return this.parsed(section, key, (t) => inRange(parseInt10(t), min, max), min);
  }

  port(section: string, key: string, min = 0): number {
    return this.int(section, key, min, 65535);
  }

  /** A rate: a Python float that must be finite and above zero. */
  rate(section: string, key: string): number {
    return this.parsed(
      section,
      key,
      (t) => {
        const n = parseFloat10(t);
        if (!(n > 0 && Number.isFinite(n))) throw new BadValue(`must be a number above 0, got ${t}`);
        return n;
      },
      1,
    );
  }

  bool(section: string, key: string): boolean {
    return this.parsed(section, key, parseBoolean, false);
  }

  sydentBool(section: string, key: string): boolean {
    return parseSydentBoolean(this.string(section, key));
  }
}

function inRange(n: number, min: number, max: number): number {
  if (n < min || n > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `${min} to ${max}`;
    throw new BadValue(`${n} is out of range: must be ${range}`);
  }
  return n;
}
