// Byte compatibility with Sydent's template engines, proven on Sydent's own renderings: for each
// recorded email and page, a template is derived from the recorded bytes and variables
// (test/derive-template.ts), put in a brand folder and rendered by Cairn; the result must be the
// recorded bytes exactly. Sydent's template files themselves are not in the repository.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { deriveJinja, deriveLegacy } from "../../test/derive-template.js";
import { fixturePath } from "../../test/fixtures.js";
import { BrandTemplates } from "./templates.js";
import type { EmailTemplate } from "./types.js";

const BRANDS = ["matrix-org", "vector-im"];
const EMAILS: [string, EmailTemplate][] = [
  ["verification", "verification_template.eml"],
  ["invite", "invite_template.eml"],
  ["invite-space", "invite_template.eml"],
];

interface VarsFile {
  vars: Record<string, string>;
  extra_vars_for_legacy_template: Record<string, string> | null;
}

const read = (...parts: string[]) => readFileSync(fixturePath("emails", ...parts), "utf8");
const readVars = (...parts: string[]) => JSON.parse(read(...parts)) as VarsFile;

const scratch = mkdtempSync(join(tmpdir(), "cairn-templates-"));
after(() => rmSync(scratch, { recursive: true, force: true }));
let folders = 0;

/** A fresh templates root holding `files` (path below the root → text). */
function root(files: Record<string, string>): string {
  const dir = join(scratch, String(folders++));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

function templates(dir: string): BrandTemplates {
  return new BrandTemplates({
    root: dir,
    defaultBrand: "no-such-brand",
    verificationTemplate: null,
    inviteTemplate: null,
    verifyResponseTemplate: null,
  });
}

describe("Sydent's Jinja2 emails (.eml.j2) render to the recorded bytes", () => {
  for (const brand of BRANDS) {
    for (const [name, template] of EMAILS) {
      test(`${brand} ${name}`, () => {
        const rendered = read(brand, "eml.j2", `${name}.rendered`);
        const { vars } = readVars(brand, "eml.j2", `${name}.vars.json`);
        const derived = deriveJinja(rendered, vars);
        // The derivation put the variables back as expressions of each kind the templates use.
        assert.ok(derived.expressions.has("{{ link|safe }}") || derived.expressions.has("{{ token|safe }}"));
        if (name !== "verification") {
          assert.ok(derived.expressions.has("{{ room_id|urlencode }}"), "a urlencoded value");
          assert.ok(derived.expressions.has("{{ bracketed_room_name }}"), "an HTML-escaped value");
        }
        assert.ok(derived.template.endsWith("--\n"), "one newline added for Jinja to drop");
        const dir = root({ [`${brand}/${template}.j2`]: derived.template });
        assert.equal(templates(dir).renderEmail(template, brand, vars), rendered);
      });
    }
  }
});

describe("Sydent's legacy emails (.eml) render to the recorded bytes", () => {
  for (const brand of BRANDS) {
    for (const [name, template] of EMAILS) {
      test(`${brand} ${name}`, () => {
        const rendered = read(brand, "eml-legacy", `${name}.rendered`);
        const file = readVars(brand, "eml-legacy", `${name}.vars.json`);
        const vars = { ...file.vars, ...file.extra_vars_for_legacy_template };
        const derived = deriveLegacy(rendered, vars);
        assert.ok(derived.expressions.has("%(multipart_boundary)s"));
        if (name !== "verification") {
          assert.ok(derived.expressions.has("%(room_id_forurl)s"), "a _forurl value");
          assert.ok(derived.expressions.has("%(bracketed_room_name_forhtml)s"), "a _forhtml value");
        }
        const dir = root({ [`${brand}/${template}`]: derived.template });
        assert.equal(templates(dir).renderEmail(template, brand, vars), rendered);
      });
    }
  }
});

describe("Sydent's verify-response pages render to the recorded bytes", () => {
  for (const brand of BRANDS) {
    for (const page of ["success", "success-nextlink-redirect", "failure"]) {
      test(`${brand} ${page}`, () => {
        const html = read(brand, "verify_response", `${page}.html`);
        const { message } = JSON.parse(read(brand, "verify_response", `${page}.json`)) as { message: string };
        const derived = deriveLegacy(html, { message });
        assert.deepEqual([...derived.expressions], ["%(message)s"]);
        const dir = root({ [`${brand}/verify_response_template.html`]: derived.template });
        assert.equal(templates(dir).render(brand, message), html);
      });
    }
  }
});
