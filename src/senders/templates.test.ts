// Template choice (brands, legacy vs Jinja2, deprecated explicit paths, the packaged brand) and the
// Jinja2 rules the nunjucks set-up must follow.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { testConfig } from "../../test/deps.js";
import { JinjaTemplates } from "./jinja.js";
import { TemplateError } from "./percent-format.js";
import { BrandTemplates, PACKAGED_ROOT, templateSettings, type TemplateSettings } from "./templates.js";

const scratch = mkdtempSync(join(tmpdir(), "cairn-brands-"));
after(() => rmSync(scratch, { recursive: true, force: true }));
let folders = 0;

function root(files: Record<string, string | Buffer>): string {
  const dir = join(scratch, String(folders++));
  mkdirSync(dir);
  for (const [path, text] of Object.entries(files)) write(dir, path, text);
  return dir;
}

function write(dir: string, path: string, text: string | Buffer): void {
  mkdirSync(join(dir, path, ".."), { recursive: true });
  writeFileSync(join(dir, path), text);
}

function brandTemplates(dir: string, extra: Partial<TemplateSettings> = {}): BrandTemplates {
  return new BrandTemplates({
    root: dir,
    defaultBrand: "main",
    verificationTemplate: null,
    inviteTemplate: null,
    verifyResponseTemplate: null,
    ...extra,
  });
}

const V = "verification_template.eml";

describe("Jinja2 rules", () => {
  const jinja = (text: string | Buffer, vars: Record<string, string> = {}) =>
    new JinjaTemplates(root({ "t.j2": text })).render("t.j2", vars);

  test("autoescape with markupsafe's table: & < > \" ' and nothing else", () => {
    assert.equal(jinja("{{ v }}", { v: `&<>"'\\/` }), "&amp;&lt;&gt;&#34;&#39;\\/");
    assert.equal(jinja("{{ v|e }}", { v: `"` }), "&#34;");
  });

  test("|safe inserts the value raw", () => {
    assert.equal(jinja("{{ v|safe }}", { v: `<a href="x">` }), `<a href="x">`);
  });

  test("|urlencode is Python's quote: / kept, !*'() escaped", () => {
    assert.equal(jinja("{{ v|urlencode }}", { v: "a/b c!*'()~é" }), "a/b%20c%21%2A%27%28%29~%C3%A9");
    assert.equal(jinja("{{ v|safe|urlencode }}", { v: "a&b" }), "a%26b");
  });

  test("undefined variables render as empty text, also through filters", () => {
    assert.equal(jinja("[{{ nope }}|{{ nope|safe }}|{{ nope|urlencode }}]"), "[||]");
  });

  test("conditionals on room_type", () => {
    const t = '{% if room_type == "m.space" %}space{% else %}room{% endif %}';
    assert.equal(jinja(t, { room_type: "m.space" }), "space");
    assert.equal(jinja(t, { room_type: "" }), "room");
  });

  test("exactly one final line break of the file is dropped", () => {
    assert.equal(jinja("a\n"), "a");
    assert.equal(jinja("a\n\n"), "a\n");
    assert.equal(jinja("a"), "a");
  });

  test("line breaks in the file are read as \\n (CRLF and CR too); values are left alone", () => {
    assert.equal(jinja("a\r\nb\rc{{ v|safe }}\r\n", { v: "x\r\ny" }), "a\nb\ncx\r\ny");
  });

  test("a byte-order mark is kept, as Python's UTF-8 codec keeps it", () => {
    assert.equal(jinja(Buffer.from("\ufeffa", "utf8")), "\ufeffa");
  });

  test("a file that is not UTF-8 is an error, not mojibake", () => {
    assert.throws(() => jinja(Buffer.from([0x61, 0xff])));
  });

  test("names cannot leave the root", () => {
    const dir = root({ "brand/t.j2": "x" });
    const engine = new JinjaTemplates(join(dir, "brand"));
    assert.throws(() => engine.render("../brand/t.j2", {}), TemplateError);
    assert.equal(engine.render("/t.j2", {}), "x"); // a leading / stays below the root, as in Jinja2
  });
});

describe("brand and template choice", () => {
  test("brands are the root's folders, read once; an unknown hint gets brand.default", () => {
    const dir = root({ "main/x": "", "other/x": "", "file-not-brand": "" });
    const t = brandTemplates(dir);
    assert.deepEqual([...t.brands].sort(), ["main", "other"]);
    assert.equal(t.brandFor("other"), "other");
    assert.equal(t.brandFor("file-not-brand"), "main");
    assert.equal(t.brandFor(undefined), "main");
    assert.equal(t.brandFor("../other"), "main");
    mkdirSync(join(dir, "later"));
    assert.equal(t.brandFor("later"), "main", "folders made after start are not brands");
  });

  test("a missing templates root has no brands", () => {
    assert.deepEqual([...brandTemplates(join(scratch, "missing")).brands], []);
  });

  test("the .j2 template wins over the legacy one, checked on every use", () => {
    const dir = root({ [`main/${V}`]: "legacy %(to)s", "other/x": "" });
    const t = brandTemplates(dir);
    assert.equal(t.renderEmail(V, "nope", { to: "a@b" }), "legacy a@b");
    write(dir, `main/${V}.j2`, "jinja {{ to }}\n");
    assert.equal(t.renderEmail(V, "nope", { to: "a@b" }), "jinja a@b");
  });

  test("the hinted brand's template is used", () => {
    const dir = root({ [`main/${V}.j2`]: "main", [`other/${V}.j2`]: "other" });
    assert.equal(brandTemplates(dir).renderEmail(V, "other", {}), "other");
  });

  test("legacy templates get _forhtml and _forurl of every variable but multipart_boundary", () => {
    const dir = root({
      [`main/${V}`]: "%(v)s|%(v_forhtml)s|%(v_forurl)s|%(multipart_boundary)s",
      "main/invite_template.eml": "%(multipart_boundary_forhtml)s",
    });
    const t = brandTemplates(dir);
    assert.equal(
      t.renderEmail(V, undefined, { v: `a'b c"`, multipart_boundary: "B" }),
      `a'b c"|a&#x27;b c&quot;|a%27b%20c%22|B`,
    );
    assert.throws(
      () => t.renderEmail("invite_template.eml", undefined, { multipart_boundary: "B" }),
      TemplateError,
    );
  });

  test("deprecated explicit paths: a .j2 name below the root, any other a file path", () => {
    const dir = root({
      "main/x": "",
      "custom/verify.eml.j2": "j2 {{ v }}\n",
      "elsewhere/invite.eml": "legacy %(v)s",
    });
    const t = brandTemplates(dir, {
      verificationTemplate: "custom/verify.eml.j2",
      inviteTemplate: join(dir, "elsewhere/invite.eml"),
    });
    assert.equal(t.renderEmail(V, "main", { v: "&" }), "j2 &amp;");
    assert.equal(t.renderEmail("invite_template.eml", "main", { v: "&" }), "legacy &");
  });

  test("the verify-response page: the brand's file, %-formatted with message only", () => {
    const dir = root({
      "main/verify_response_template.html": "<p>%(message)s</p> 100%%\n",
      "other/verify_response_template.html": "other %(message)s",
      "other/verify_response_template.html.j2": "ignored: Sydent opens the page as a plain file",
    });
    const t = brandTemplates(dir);
    assert.equal(t.render(undefined, "Done <b>"), "<p>Done <b></p> 100%\n");
    assert.equal(t.render("other", "Done"), "other Done");
  });

  test("the explicit verify_response_template path wins over the brand", () => {
    const dir = root({ "main/verify_response_template.html": "brand", "page.html": "explicit %(message)s" });
    assert.equal(
      brandTemplates(dir, { verifyResponseTemplate: join(dir, "page.html") }).render("main", "m"),
      "explicit m",
    );
  });

  test("templateSettings resolves relative paths against the working directory", async () => {
    const config = await testConfig({
      general: { "templates.path": "tpl", "brand.default": "b" },
      email: { "email.template": "b/v.eml.j2", "email.invite_template": "legacy/i.eml" },
      http: { verify_response_template: "pages/v.html" },
    });
    assert.deepEqual(templateSettings(config, "/srv"), {
      root: "/srv/tpl",
      defaultBrand: "b",
      verificationTemplate: "b/v.eml.j2",
      inviteTemplate: "/srv/legacy/i.eml",
      verifyResponseTemplate: "/srv/pages/v.html",
    });
  });
});

describe("the packaged brand (res/cairn)", () => {
  const vars = {
    date: "Fri, 04 Dec 2026 20:00:00 -0000",
    from: "Cairn <noreply@id.example.org>",
    to: "grace+x@example.com",
    messageid: "<1@id.example.org>",
    multipart_boundary: "BOUNDARY0123456789abcdefghijklmn",
    identity_server_url: "https://id.example.org",
  };
  const fresh = () => brandTemplates(join(scratch, "no-res-here"));

  test("is used when the brand has no such template (a fresh install without res/)", () => {
    const out = fresh().renderEmail(V, undefined, {
      ...vars,
      link: "https://id.example.org/_matrix/identity/api/v1/validate/email/submitToken?token=T&client_secret=S&sid=1",
      token: "TOKEN123",
      ipaddress: "192.0.2.1",
    });
    assert.match(
      out,
      /^Date: Fri, 04 Dec 2026 20:00:00 -0000\nFrom: Cairn <noreply@id.example.org>\nTo: grace\+x@example.com\n/,
    );
    assert.match(out, /\nContent-Type: text\/plain; charset=UTF-8\n/);
    assert.match(out, /\nContent-Type: text\/html; charset=UTF-8\n/);
    assert.ok(out.includes("submitToken?token=T&client_secret=S&sid=1\n"), "raw link in the text part");
    assert.ok(
      out.includes(
        'href="https://id.example.org/_matrix/identity/api/v1/validate/email/submitToken?token=T&amp;client_secret=S&amp;sid=1"',
      ),
    );
    assert.ok(out.includes("TOKEN123") && out.includes("192.0.2.1"));
    assert.ok(out.endsWith("--BOUNDARY0123456789abcdefghijklmn--"));
  });

  test("also when the configured brand folder lacks the template", () => {
    const dir = root({ "main/other_file": "" });
    assert.match(
      brandTemplates(dir).renderEmail(V, undefined, { ...vars, link: "L", token: "T", ipaddress: "I" }),
      /^Date: /,
    );
  });

  const invite = {
    ...vars,
    subject_header_value: "=?utf8?q?Alice_has_invited_you_to_chat?=",
    sender: "@alice:example.org",
    sender_display_name: "Alice <&>",
    bracketed_verified_sender: "(@alice:example.org) ",
    room_id: "!room:example.org",
    room_name: "Tea & cake",
    bracketed_room_name: "(Tea & cake) ",
    room_avatar_url: "mxc://example.org/a",
    room_type: "",
    token: "TokenLetters",
    ephemeral_private_key: "key_-0",
    web_client_location: "https://chat.example.org",
    guest_access_token: "g+t/",
    guest_user_id: "@guest:example.org",
  };

  test("the invite carries a join link whose signurl is this server's, not a fixed host", () => {
    const out = fresh().renderEmail("invite_template.eml", undefined, invite);
    assert.match(out, /\nSubject: =\?utf8\?q\?Alice_has_invited_you_to_chat\?=\n/);
    assert.ok(
      out.includes(
        "Alice <&> (@alice:example.org) invited you to join\nthe conversation (Tea & cake) on Matrix.",
      ),
    );
    assert.ok(out.includes("<strong>Alice &lt;&amp;&gt;</strong>"), "escaped in HTML");
    const link =
      "https://chat.example.org/#/room/%21room%3Aexample.org?email=grace%2Bx%40example.com" +
      "&signurl=https%3A//id.example.org%2F_matrix%2Fidentity%2Fapi%2Fv1%2Fsign-ed25519%3Ftoken%3DTokenLetters%26private_key%3Dkey_-0" +
      "&room_name=Tea%20%26%20cake&room_avatar_url=mxc%3A//example.org/a&inviter_name=Alice%20%3C%26%3E" +
      "&guest_access_token=g%2Bt/&guest_user_id=%40guest%3Aexample.org&room_type=";
    assert.ok(out.includes(`\n${link}\n`), "the link in the text part");
    assert.ok(out.includes(`href="${link.replaceAll("&", "&amp;")}"`), "the link in the HTML part");
  });

  test("the invite says space for room_type m.space, and names the sender's ID without a display name", () => {
    const out = fresh().renderEmail("invite_template.eml", undefined, {
      ...invite,
      room_type: "m.space",
      sender_display_name: "",
      bracketed_verified_sender: "",
    });
    assert.ok(out.includes("@alice:example.org invited you to join\nthe space (Tea & cake) on Matrix."));
    assert.ok(out.includes("&room_type=m.space"));
  });

  test("the verify-response page", () => {
    const page = fresh().render("anything", "Verification successful!");
    assert.match(page, /^<!DOCTYPE html>/);
    assert.ok(page.includes("<p>Verification successful!</p>"));
  });

  test("the migration email names the account", () => {
    const out = fresh().renderEmail("migration_template.eml", undefined, { ...vars, mxid: "@a:b" });
    assert.ok(out.includes("the Matrix account @a:b"));
  });

  test("no file names matrix.org or another fixed host, and every line fits SMTP's limit", () => {
    for (const name of readdirSync(join(PACKAGED_ROOT, "cairn"))) {
      const text = readFileSync(join(PACKAGED_ROOT, "cairn", name), "utf8");
      assert.doesNotMatch(text, /matrix\.org|vector\.im|element\.io|https?:\/\/[a-z]/i, name);
      assert.ok(
        text.split("\n").every((line) => line.length <= 998),
        name,
      );
    }
  });
});
