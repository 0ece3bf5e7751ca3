// Python's `template % mapping` for text-only mappings, as Sydent fills its legacy templates
// (`*.eml`, `verify_response_template.html`): `%(name)s` inserts a value, `%%` a literal `%`.
// Python's width, precision and `-` flag work on `%(name)s` too. Anything else Python would refuse
// with a text mapping (a missing key, an unknown or numeric conversion, a `%` at the end, `*`) is a
// TemplateError here; `%s` without a key, which Python fills with the mapping's repr, is refused too.

export class TemplateError extends Error {
  override name = "TemplateError";
}

// Flags, width, precision and length modifier after the `(key)`, then the conversion character.
const SPEC = /[#0\- +]*(\*|\d+)?(?:\.(\*|\d*))?[hlL]?(.)?/y;

export function percentFormat(template: string, values: Readonly<Record<string, string>>): string {
  let out = "";
  let i = 0;
  for (;;) {
    const next = template.indexOf("%", i);
    if (next < 0) return out + template.slice(i);
    out += template.slice(i, next);
    i = next + 1;
    if (template[i] === "%") {
      out += "%";
      i += 1;
      continue;
    }
    if (template[i] !== "(") throw new TemplateError(`a '%' at offset ${next} is not followed by (name)`);
    const [key, afterKey] = readKey(template, i + 1, next);
    SPEC.lastIndex = afterKey;
    const spec = SPEC.exec(template);
    const conversion = spec?.[3];
    if (!spec || conversion === undefined) throw new TemplateError(`incomplete format at offset ${next}`);
    const [whole, width, precision] = spec;
    if (conversion !== "s" || width === "*" || precision === "*") {
      throw new TemplateError(`unsupported format '%(${key})${whole}' at offset ${next}: use %(name)s`);
    }
    const value = values[key];
    if (value === undefined) throw new TemplateError(`the template uses %(${key})s, which has no value`);
    out += pad(value, whole.includes("-"), width, precision);
    i = SPEC.lastIndex;
  }
}

/** The key of `%(key)`, starting after `(`; like Python, nested parentheses belong to the key. */
function readKey(template: string, start: number, at: number): [string, number] {
  let depth = 1;
  for (let j = start; j < template.length; j++) {
    if (template[j] === "(") depth += 1;
    else if (template[j] === ")" && --depth === 0) return [template.slice(start, j), j + 1];
  }
  throw new TemplateError(`unclosed '%(' at offset ${at}`);
}

/** `%-W.Ps`: precision cuts, width pads with spaces, in code points as Python counts. */
function pad(value: string, left: boolean, width?: string, precision?: string): string {
  if (width === undefined && precision === undefined) return value;
  let chars = Array.from(value);
  if (precision !== undefined) chars = chars.slice(0, Number(precision || "0"));
  const fill = " ".repeat(Math.max(0, Number(width ?? "0") - chars.length));
  return left ? chars.join("") + fill : fill + chars.join("");
}
