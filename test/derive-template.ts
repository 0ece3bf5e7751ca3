// Rebuilds a template from one recorded rendering and its variables, so that Cairn's template
// engines can be checked against Sydent's output without Sydent's template files: every occurrence
// of a variable's rendered form (raw, HTML-escaped, URL-encoded) becomes the expression that
// yields it, and the rest stays literal text (escaped for the engine). Rendering the derived
// template with the same variables must give back the recorded bytes.
import { escapeHtmlJinja, escapeHtmlPython, quoteUrl } from "../src/senders/escape.js";

type Segment = { text: string } | { expr: string };

/** Values shorter than this are left as literal text (too common to replace unambiguously). */
const MIN_LENGTH = 4;

function substitute(rendered: string, forms: [string, string][]): Segment[] {
  let segments: Segment[] = [{ text: rendered }];
  // Longest first, so that a value containing another (bracketed_room_name / room_name) wins.
  for (const [form, expr] of forms.sort((a, b) => b[0].length - a[0].length)) {
    segments = segments.flatMap((s) => {
      if (!("text" in s)) return [s];
      const pieces = s.text.split(form);
      return pieces.flatMap((text, i): Segment[] => (i === 0 ? [{ text }] : [{ expr }, { text }]));
    });
  }
  return segments;
}

function formsOf(vars: Record<string, string>, exprs: (k: string) => [(v: string) => string, string][]) {
  const forms = new Map<string, string>();
  for (const [k, v] of Object.entries(vars)) {
    for (const [transform, expr] of exprs(k)) {
      const form = transform(v);
      if (form.length >= MIN_LENGTH && !forms.has(form)) forms.set(form, expr);
    }
  }
  return [...forms];
}

export interface Derived {
  template: string;
  /** The expressions used, e.g. `{{ link|safe }}`, one entry per kind and name. */
  expressions: Set<string>;
}

/** A Jinja2 template: `{{ k|safe }}`, `{{ k }}`, `{{ k|urlencode }}`; one final newline added. */
export function deriveJinja(rendered: string, vars: Record<string, string>): Derived {
  const names = Object.fromEntries(Object.entries(vars).filter(([k]) => /^[A-Za-z_]\w*$/.test(k)));
  const forms = formsOf(names, (k) => [
    [(v) => v, `{{ ${k}|safe }}`],
    [escapeHtmlJinja, `{{ ${k} }}`],
    [quoteUrl, `{{ ${k}|urlencode }}`],
  ]);
  const segments = substitute(rendered, forms);
  const out = segments.map((s, i) => {
    if ("expr" in s) return s.expr;
    // `{` would open a tag when followed by `{`, `%`, `#`, or by the expression after this text.
    const last = i < segments.length - 1 ? "$" : "(?!)";
    return s.text.replace(new RegExp(`\\{(?=[{%#]|${last})`, "g"), '{{ "{" }}');
  });
  return { template: `${out.join("")}\n`, expressions: expressionsOf(segments) };
}

/** A legacy `%` template: `%(k)s`, `%(k_forhtml)s`, `%(k_forurl)s`; literal `%` doubled. */
export function deriveLegacy(rendered: string, vars: Record<string, string>): Derived {
  const forms = formsOf(vars, (k) => [
    [(v) => v, `%(${k})s`],
    [escapeHtmlPython, `%(${k}_forhtml)s`],
    [quoteUrl, `%(${k}_forurl)s`],
  ]);
  const segments = substitute(rendered, forms);
  const template = segments.map((s) => ("expr" in s ? s.expr : s.text.replaceAll("%", "%%"))).join("");
  return { template, expressions: expressionsOf(segments) };
}

function expressionsOf(segments: Segment[]): Set<string> {
  return new Set(segments.flatMap((s) => ("expr" in s ? [s.expr] : [])));
}
