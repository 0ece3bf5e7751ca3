// The terms file with the real `cairn` process: checked at start (a broken file stops it with every
// problem listed), then followed while running without a restart.
import assert from "node:assert/strict";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { TERMS_RECHECK_MS } from "../src/config/terms-file.js";
import { fixturePath } from "./fixtures.js";
import { freePort, runCairn, serveCairn } from "./process.js";

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

async function install(): Promise<string> {
  const cwd = mkdtempSync(join(tmpdir(), "cairn-terms-proc-"));
  dirs.push(cwd);
  const port = await freePort();
  writeFileSync(
    join(cwd, "sydent.conf"),
    `[general]\nserver.name = terms.example.org\nterms.path = terms.yaml\n[http]\nclientapi.http.port = ${port}\n`,
  );
  return cwd;
}

describe("the terms file and the server process", () => {
  test("a malformed terms file stops the start with every problem, before the database is created", async () => {
    const cwd = await install();
    writeFileSync(
      join(cwd, "terms.yaml"),
      "master_version: m\ndocs:\n  tos:\n    langs:\n      en: {name: T}\n",
    );
    const proc = runCairn(["serve"], { cwd });
    assert.equal(await proc.exited, 1);
    const out = proc.output();
    const file = join(cwd, "terms.yaml");
    assert.ok(out.includes(`cairn: Invalid configuration (2 problems):\n`), out);
    assert.ok(out.includes(`  ${file}:3: docs.tos.version is missing\n`), out);
    assert.ok(out.includes(`  ${file}:5: docs.tos.langs.en.url is missing\n`), out);
    assert.ok(!out.includes("    at "), "no stack trace");
    assert.ok(!existsSync(join(cwd, "sydent.db")));
  });

  test("a missing terms file names the config key", async () => {
    const cwd = await install();
    const proc = runCairn(["serve"], { cwd });
    assert.equal(await proc.exited, 1);
    assert.match(
      proc.output(),
      /\[general\] terms\.path: cannot read the terms file .*terms\.yaml: no such file/,
    );
  });

  test("edits apply while running; a broken edit is logged and the last good terms stay", async () => {
    const cwd = await install();
    const sample = readFileSync(fixturePath("current", "terms.yaml"), "utf8");
    copyFileSync(fixturePath("current", "terms.yaml"), join(cwd, "terms.yaml"));
    const server = await serveCairn([], { cwd });
    const policies = async () => {
      const res = await fetch(`${server.url}/_matrix/identity/v2/terms`);
      assert.equal(res.status, 200);
      return ((await res.json()) as { policies: Record<string, { version: string }> }).policies;
    };
    try {
      assert.equal((await policies()).terms_of_service?.version, "2.0");
      writeFileSync(join(cwd, "terms.yaml"), sample.replace('version: "2.0"', 'version: "2.1"'));
      await sleep(TERMS_RECHECK_MS + 100);
      assert.equal((await policies()).terms_of_service?.version, "2.1");
      writeFileSync(join(cwd, "terms.yaml"), "master_version: [\n");
      await sleep(TERMS_RECHECK_MS + 100);
      assert.equal((await policies()).terms_of_service?.version, "2.1");
      assert.match(server.output(), /the terms file has problems; keeping the last good terms/);
    } finally {
      assert.equal(await server.stop(), 0);
    }
  });
});
