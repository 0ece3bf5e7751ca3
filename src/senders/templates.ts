// Which template a message or page is made from, and rendering it, as Sydent chooses (§2.5, §2.6):
// brands are the sub-directories of `templates.path` (read once, at start); a request's brand hint
// counts only if it names one, else `brand.default`; for template N of the brand, `N.j2` (Jinja2)
// wins over the legacy `N` (Python `%`-formatting), checked on every use. The deprecated explicit
// paths in the config override the brand. When the brand has neither file (a fresh install, whose
// working directory has no `res/`), Cairn's own brand shipped in the package is used instead.
import { readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Config } from "../config/types.js";
import { escapeHtmlPython, quoteUrl } from "./escape.js";
import { JinjaTemplates, readTemplateText } from "./jinja.js";
import { percentFormat } from "./percent-format.js";
import type { EmailTemplate, VerifyResponsePages } from "./types.js";

/** The package's own templates: `res/` next to `src/` and `dist/`. */
export const PACKAGED_ROOT = fileURLToPath(new URL("../../res/", import.meta.url));
export const PACKAGED_BRAND = "cairn";
const VERIFY_RESPONSE = "verify_response_template.html";

export interface TemplateSettings {
  /** `[general] templates.path`, absolute. */
  root: string;
  defaultBrand: string;
  /** `[email] email.template`: a `.j2` name below `root`, or a legacy file path (absolute). */
  verificationTemplate: string | null;
  /** `[email] email.invite_template`, the same way. */
  inviteTemplate: string | null;
  /** `[http] verify_response_template`: a file path (absolute). */
  verifyResponseTemplate: string | null;
  /** Where the packaged brand lives (tests may point elsewhere). */
  packagedRoot?: string;
}

/** Settings from the config; relative paths are taken from `cwd`, Sydent's working directory. */
export function templateSettings(config: Config, cwd: string): TemplateSettings {
  const path = (p: string | null, jinjaName: boolean): string | null => {
    if (p === null || p === "") return null;
    return jinjaName && p.endsWith(".j2") ? p : resolve(cwd, p);
  };
  return {
    root: resolve(cwd, config.general.templatesPath),
    defaultBrand: config.general.defaultBrand,
    verificationTemplate: path(config.email.template, true),
    inviteTemplate: path(config.email.inviteTemplate, true),
    verifyResponseTemplate: path(config.http.verifyResponseTemplate, false),
  };
}

type Source = { jinja: JinjaTemplates; name: string } | { legacy: string };

export class BrandTemplates implements VerifyResponsePages {
  /** The valid brand names: the directories in `root` when this was built. */
  readonly brands: ReadonlySet<string>;
  private readonly jinja: JinjaTemplates;
  private readonly packaged: JinjaTemplates;

  constructor(private readonly settings: TemplateSettings) {
    this.brands = listDirectories(settings.root);
    this.jinja = new JinjaTemplates(settings.root);
    this.packaged = new JinjaTemplates(settings.packagedRoot ?? PACKAGED_ROOT);
  }

  /** The brand a request gets: its hint when that is a brand folder, else `brand.default`. */
  brandFor(hint: string | undefined): string {
    return hint !== undefined && this.brands.has(hint) ? hint : this.settings.defaultBrand;
  }

  /**
   * The full message text (headers and body) of an email. Legacy templates also get, for every
   * variable k except `multipart_boundary`, `k_forhtml` (HTML-escaped) and `k_forurl` (quoted).
   */
  renderEmail(
    template: EmailTemplate,
    brand: string | undefined,
    vars: Readonly<Record<string, string>>,
  ): string {
    const explicit =
      template === "verification_template.eml"
        ? this.settings.verificationTemplate
        : template === "invite_template.eml"
          ? this.settings.inviteTemplate
          : null;
    const source: Source =
      explicit === null
        ? this.branded(brand, template)
        : explicit.endsWith(".j2")
          ? { jinja: this.jinja, name: explicit }
          : { legacy: explicit };
    if ("jinja" in source) return source.jinja.render(source.name, vars);
    const all: Record<string, string> = {};
    for (const [k, v] of Object.entries(vars)) {
      all[k] = v;
      if (k === "multipart_boundary") continue;
      all[`${k}_forhtml`] = escapeHtmlPython(v);
      all[`${k}_forurl`] = quoteUrl(v);
    }
    return percentFormat(readTemplateText(source.legacy), all);
  }

  /** The page shown after an emailed link is followed: the template `%`-formatted with `message`. */
  render(brand: string | undefined, message: string): string {
    const path =
      this.settings.verifyResponseTemplate ?? this.brandFile(this.brandFor(brand), VERIFY_RESPONSE);
    return percentFormat(readTemplateText(path ?? this.packagedFile(VERIFY_RESPONSE)), { message });
  }

  private branded(hint: string | undefined, template: string): Source {
    const brand = this.brandFor(hint);
    const j2 = `${brand}/${template}.j2`;
    if (this.jinja.has(j2)) return { jinja: this.jinja, name: j2 };
    const legacy = this.brandFile(brand, template);
    if (legacy !== null) return { legacy };
    const packagedJ2 = `${PACKAGED_BRAND}/${template}.j2`;
    if (this.packaged.has(packagedJ2)) return { jinja: this.packaged, name: packagedJ2 };
    return { legacy: this.packagedFile(template) };
  }

  /** `<root>/<brand>/<name>` when that file exists. */
  private brandFile(brand: string, name: string): string | null {
    const path = join(this.settings.root, brand, name);
    return statSync(path, { throwIfNoEntry: false })?.isFile() ? path : null;
  }

  private packagedFile(name: string): string {
    return join(this.settings.packagedRoot ?? PACKAGED_ROOT, PACKAGED_BRAND, name);
  }
}

/** Names of the directories in `dir` (symbolic links followed); none when `dir` does not exist. */
function listDirectories(dir: string): Set<string> {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (err) {
    if (err instanceof Error && "code" in err && (err.code === "ENOENT" || err.code === "ENOTDIR")) {
      return new Set();
    }
    throw err;
  }
  return new Set(names.filter((n) => statSync(join(dir, n), { throwIfNoEntry: false })?.isDirectory()));
}
