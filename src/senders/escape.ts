// The three text transformations email templates rely on, each as Sydent's Python stack does it:
// Jinja2's HTML escaping (markupsafe), Python's html.escape (legacy `_forhtml` values) and Python's
// urllib.parse.quote with `/` kept (Jinja2's `urlencode` filter and legacy `_forurl` values).

const JINJA_HTML: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&#34;",
  "'": "&#39;",
};

const PYTHON_HTML: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#x27;",
};

/** markupsafe's `escape`, which Jinja2 applies to every `{{ value }}` when autoescape is on. */
export const escapeHtmlJinja = (text: string): string => text.replace(/[&<>"']/g, (c) => JINJA_HTML[c] ?? c);

/** Python's `html.escape(text)` (quote=True). */
export const escapeHtmlPython = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => PYTHON_HTML[c] ?? c);

/**
 * Python's `urllib.parse.quote(text)`: UTF-8 percent-encoding that leaves only `A-Za-z0-9_.-~` and
 * `/` as they are. (encodeURIComponent also keeps `!*'()` and escapes `/`.) Like Python, text with
 * an unpaired surrogate cannot be encoded: that throws.
 */
export function quoteUrl(text: string): string {
  return encodeURIComponent(text)
    .replace(/[!*'()]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replaceAll("%2F", "/");
}
