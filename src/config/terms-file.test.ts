import assert from "node:assert/strict";
import { mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import pino from "pino";
import { captureLog } from "../../test/log-capture.js";
import { fixedClock } from "../clock.js";
import { ConfigError } from "./problems.js";
import { openTermsFile, TERMS_RECHECK_MS } from "./terms-file.js";

const dir = mkdtempSync(join(tmpdir(), "cairn-terms-"));
after(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
const termsFile = (text: string): string => {
  const file = join(dir, `terms-${n++}.yaml`);
  writeFileSync(file, text);
  return file;
};
const version = (master: string, docVersion = "1") =>
  `master_version: ${master}\ndocs:\n  tos:\n    version: "${docVersion}"\n    langs:\n` +
  `      en: {name: Terms, url: "https://t/${docVersion}/en"}\n`;
const config = (termsPath: string) => ({
  path: "/etc/cairn/sydent.conf",
  general: { termsPath } as Parameters<typeof openTermsFile>[0]["general"],
});
const silent = pino({ level: "silent" });

describe("the terms file at start", () => {
  test("no terms.path: no terms", async () => {
    const terms = await openTermsFile(config(""), fixedClock(0), silent);
    assert.equal(await terms.current(), null);
  });

  test("a good file is read", async () => {
    const terms = await openTermsFile(config(termsFile(version("m1"))), fixedClock(0), silent);
    assert.equal((await terms.current())?.masterVersion, "m1");
  });

  test("a missing file stops the start, naming the config key", async () => {
    const missing = join(dir, "nope.yaml");
    await assert.rejects(openTermsFile(config(missing), fixedClock(0), silent), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.match(
        err.message,
        new RegExp(
          `^  /etc/cairn/sydent.conf: \\[general\\] terms.path: cannot read the terms file ${missing}: no such file$`,
          "m",
        ),
      );
      return true;
    });
  });

  test("a malformed file stops the start, listing every problem with file and line", async () => {
    const file = termsFile("docs:\n  tos:\n    langs: {en: {name: T}}\n");
    await assert.rejects(openTermsFile(config(file), fixedClock(0), silent), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.equal(
        err.message,
        "Invalid configuration (3 problems):\n" +
          `  ${file}:1: master_version is missing\n` +
          `  ${file}:2: docs.tos.version is missing\n` +
          `  ${file}:3: docs.tos.langs.en.url is missing`,
      );
      return true;
    });
  });

  test("a file that is not UTF-8 is refused", async () => {
    const file = join(dir, "latin1.yaml");
    writeFileSync(file, Buffer.from("master_version: caf\xe9\n", "latin1"));
    await assert.rejects(openTermsFile(config(file), fixedClock(0), silent), /the file is not valid UTF-8/);
  });
});

describe("the terms file while running", () => {
  test("an edit applies at the next check, at most a second later", async () => {
    const file = termsFile(version("m1"));
    const clock = fixedClock(1_000_000);
    const terms = await openTermsFile(config(file), clock, silent);
    writeFileSync(file, version("m2", "2"));
    clock.advance(TERMS_RECHECK_MS - 1);
    assert.equal((await terms.current())?.masterVersion, "m1", "not checked again within a second");
    clock.advance(1);
    assert.equal((await terms.current())?.masterVersion, "m2");
  });

  test("a file replaced by rename (as editors and config tools do) is picked up", async () => {
    const file = termsFile(version("m1"));
    const clock = fixedClock(0);
    const terms = await openTermsFile(config(file), clock, silent);
    const next = join(dir, "next.yaml");
    writeFileSync(next, version("m2"));
    renameSync(next, file);
    clock.advance(TERMS_RECHECK_MS);
    assert.equal((await terms.current())?.masterVersion, "m2");
  });

  test("a broken edit keeps the last good terms and is logged once; a fix applies", async () => {
    const file = termsFile(version("m1"));
    const clock = fixedClock(0);
    const captured = captureLog();
    const terms = await openTermsFile(config(file), clock, captured.log);
    writeFileSync(file, "master_version: m2\ndocs: [\n");
    for (let i = 0; i < 3; i++) {
      clock.advance(TERMS_RECHECK_MS);
      assert.equal((await terms.current())?.masterVersion, "m1");
    }
    const errors = captured.records().filter((r) => r.level === 50);
    assert.equal(errors.length, 1);
    assert.equal(errors[0]?.msg, "the terms file has problems; keeping the last good terms");
    assert.match(String((errors[0]?.problems as string[])[0]), new RegExp(`^${file}:\\d+: `));

    writeFileSync(file, version("m3"));
    clock.advance(TERMS_RECHECK_MS);
    assert.equal((await terms.current())?.masterVersion, "m3");
    assert.ok(captured.records().some((r) => r.msg === "terms file reloaded" && r.master_version === "m3"));
  });

  test("a deleted file keeps the last terms, logged once; a new file applies", async () => {
    const file = termsFile(version("m1"));
    const clock = fixedClock(0);
    const captured = captureLog();
    const terms = await openTermsFile(config(file), clock, captured.log);
    rmSync(file);
    for (let i = 0; i < 2; i++) {
      clock.advance(TERMS_RECHECK_MS);
      assert.equal((await terms.current())?.masterVersion, "m1");
    }
    assert.equal(captured.records().filter((r) => r.level === 50).length, 1);
    writeFileSync(file, version("m2"));
    clock.advance(TERMS_RECHECK_MS);
    assert.equal((await terms.current())?.masterVersion, "m2");
  });

  test("concurrent requests share one check", async () => {
    const file = termsFile(version("m1"));
    const clock = fixedClock(0);
    const terms = await openTermsFile(config(file), clock, silent);
    writeFileSync(file, version("m2"));
    clock.advance(TERMS_RECHECK_MS);
    const all = await Promise.all(Array.from({ length: 20 }, () => terms.current()));
    assert.deepEqual(new Set(all.map((t) => t?.masterVersion)), new Set(["m2"]));
  });
});
