// Sydent's Jinja2 templates (`*.j2`) rendered with nunjucks, set up to give Jinja2 3.1's bytes for
// everything Sydent's templates use: autoescape on, undefined values empty, `|safe`, `|urlencode`,
// `{% if %}`. Three Jinja2 rules nunjucks does not share are applied here:
// - escaping: markupsafe writes `"` as `&#34;` and leaves `\` alone (nunjucks: `&quot;`, `&#92;`);
// - `urlencode`: Python's quote (keeps `/`, escapes `!*'()`), not encodeURIComponent;
// - source text: every line break read as `\n`, and one final line break dropped
//   (keep_trailing_newline=False), so a template file ending in a newline renders without it.
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import nunjucks from "nunjucks";
import { escapeHtmlJinja, quoteUrl } from "./escape.js";
import { TemplateError } from "./percent-format.js";

// nunjucks escapes through one library-wide function (its runtime and its `escape` filter both call
// `lib.escape`), with no option to change its table; Cairn's only nunjucks use is Jinja2 emulation,
// so the function is replaced once, here. The package's types do not declare `lib.escape`.
(nunjucks as unknown as { lib: { escape: (text: string) => string } }).lib.escape = escapeHtmlJinja;

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** A template file's text as Python reads it: strict UTF-8, a byte-order mark kept, line breaks as `\n`. */
export function readTemplateText(path: string): string {
  return utf8.decode(readFileSync(path)).replace(/\r\n?/g, "\n");
}

/** Jinja2's `urlencode` on a single value (Python's `quote(str(value))`; undefined gives ""). */
export function jinjaUrlencode(value: unknown): string {
  return value === undefined || value === null ? "" : quoteUrl(String(value));
}

/** Jinja2's FileSystemLoader path rules: `/`-separated below the root, no `..`. */
function templatePath(root: string, name: string): string {
  const pieces = name.split("/").filter((p) => p !== "" && p !== ".");
  if (pieces.includes("..")) throw new TemplateError(`template name ${JSON.stringify(name)} leaves the root`);
  return join(root, ...pieces);
}

function isFile(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isFile() ?? false;
}

/** Renders the Jinja2 templates below one root directory (names relative to it, as Sydent's). */
export class JinjaTemplates {
  private readonly env: nunjucks.Environment;

  constructor(readonly root: string) {
    const loader: nunjucks.ILoader = {
      getSource: (name) => {
        const path = templatePath(root, name);
        if (!isFile(path)) throw new TemplateError(`template not found: ${path}`);
        // Read on every use, like Jinja2's auto-reload: an edited template applies at once.
        return { src: readTemplateText(path).replace(/\n$/, ""), path, noCache: true };
      },
    };
    this.env = new nunjucks.Environment(loader, { autoescape: true, throwOnUndefined: false });
    this.env.addFilter("urlencode", jinjaUrlencode);
  }

  /** Whether `name` names a file under the root. */
  has(name: string): boolean {
    return isFile(templatePath(this.root, name));
  }

  render(name: string, vars: Readonly<Record<string, string>>): string {
    return this.env.render(name, { ...vars });
  }
}
