// docs/configuration.md and the generated example must cover every key of the schema.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { CWD, loadOptions, MemoryFs } from "../../test/memory-fs.js";
import { renderExampleConfig } from "./example.js";
import { parseIni } from "./ini.js";
import { loadConfig } from "./load.js";
import { SCHEMA } from "./schema.js";

const docs = readFileSync(new URL("../../docs/configuration.md", import.meta.url), "utf8");

/** The text of docs/configuration.md under `## \`[section]\``, up to the next heading. */
function docsSection(section: string): string {
  const start = docs.indexOf(`\n## \`[${section}]\``);
  assert.ok(start >= 0, `docs/configuration.md has a "## \`[${section}]\`" heading`);
  const end = docs.indexOf("\n#", start + 1);
  return docs.slice(start, end < 0 ? undefined : end);
}

describe("docs/configuration.md", () => {
  for (const s of SCHEMA) {
    test(`documents [${s.section}] ${s.key}`, () => {
      const row = docsSection(s.section)
        .split("\n")
        .find((line) => line.startsWith(`| \`${s.key}\` |`));
      assert.ok(row, `a table row for ${s.key}`);
      const shown = s.defaultText ?? (s.default === null ? "unset" : s.default === "" ? "empty" : s.default);
      assert.ok(row.split("|")[2]?.includes(shown), `its default ${shown}`);
      if (s.env) assert.ok(row.includes(`$${s.env}`), `its variable ${s.env}`);
    });
  }

  test("names every environment variable", () => {
    for (const name of ["SYDENT_CONF", ...SCHEMA.flatMap((s) => (s.env ? [s.env] : []))]) {
      assert.ok(docs.includes(`| \`${name}\` |`), name);
    }
  });
});

describe("the example configuration", () => {
  const example = renderExampleConfig({ SYDENT_SERVER_NAME: "id.example.org" });

  test("parses cleanly and sets or shows every key", () => {
    assert.deepEqual(parseIni(example, "example.conf").problems, []);
    for (const s of SCHEMA) {
      const key = s.key.replace("<cc>", "44");
      assert.match(example, new RegExp(`^(# )?${key.replaceAll(".", "\\.")} = `, "m"), s.key);
    }
  });

  test("loads to the same configuration as a first start without a file", async () => {
    const path = `${CWD}/sydent.conf`;
    const env = { SYDENT_SERVER_NAME: "id.example.org" };
    const fromExample = await loadConfig(
      loadOptions(new MemoryFs({ [path]: example }, [`${CWD}/res`]), { env }),
    );
    const fromNothing = await loadConfig(loadOptions(new MemoryFs({}, [`${CWD}/res`]), { env }));
    assert.deepEqual(fromExample.config, fromNothing.config);
    assert.deepEqual(fromExample.warnings, []);
    assert.equal(fromExample.written, "key-generated");
  });
});
