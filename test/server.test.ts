// The real `cairn` process: first start in an empty directory, every Sydent fixture install opened in
// place, fatal configuration mistakes, and the helper commands.
import assert from "node:assert/strict";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import Database from "better-sqlite3";
import { signingKeyFromSeed } from "../src/crypto/signing-key.js";
import { parseSigningKeyLine } from "../src/config/signing-key-line.js";
import { fixturePath } from "./fixtures.js";
import { freePort, runCairn, serveCairn } from "./process.js";

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "cairn-server-"));
  dirs.push(dir);
  return dir;
};
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

async function getJson(url: string): Promise<unknown> {
  const res = await fetch(url);
  assert.equal(res.status, 200, url);
  return res.json();
}

describe("first start in an empty directory", () => {
  test("writes sydent.conf and sydent.db, serves {} on port 8090, stops cleanly on SIGTERM", async () => {
    const cwd = tempDir();
    const server = await serveCairn([], { cwd, env: { SYDENT_SERVER_NAME: "first.example.org" } });
    try {
      assert.equal(server.url, "http://127.0.0.1:8090");
      assert.deepEqual(await getJson(`${server.url}/_matrix/identity/v2`), {});
      const conf = readFileSync(join(cwd, "sydent.conf"), "utf8");
      assert.match(conf, /^server\.name = first\.example\.org$/m);
      const keyLine = /^ed25519\.signingkey = (.+)$/m.exec(conf)?.[1] ?? "";
      const parsed = parseSigningKeyLine(keyLine);
      assert.ok(parsed.ok);
      const key = signingKeyFromSeed(parsed.key.seed, parsed.key.version);
      assert.deepEqual(await getJson(`${server.url}/_matrix/identity/v2/pubkey/ed25519:0`), {
        public_key: key.publicKeyBase64,
      });
      assert.equal(readFileSync(join(cwd, "sydent.pid"), "utf8"), `${server.child.pid}\n`);
    } finally {
      assert.equal(await server.stop(), 0);
    }
    assert.ok(existsSync(join(cwd, "sydent.db")));
    assert.ok(!existsSync(join(cwd, "sydent.pid")), "the pid file is removed on a clean stop");
    const db = new Database(join(cwd, "sydent.db"), { readonly: true });
    assert.equal(db.pragma("user_version", { simple: true }), 5);
    assert.match(
      String(
        (db.prepare("SELECT lookup_pepper FROM hashing_metadata").get() as { lookup_pepper: string })
          .lookup_pepper,
      ),
      /^[0-9a-zA-Z]{5}$/,
    );
    db.close();
  });
});

describe("every Sydent install opens in place", () => {
  for (const version of ["current", "v0", "v1", "v2", "v3", "v4", "v5"]) {
    test(`${version}: upgrades, keeps its rows and serves its own signing key`, async () => {
      const cwd = tempDir();
      const port = await freePort();
      const conf = readFileSync(fixturePath(version, "sydent.conf"), "utf8");
      writeFileSync(
        join(cwd, "sydent.conf"),
        conf.replace(/^clientapi\.http\.port = 8090$/m, `clientapi.http.port = ${port}`),
      );
      copyFileSync(fixturePath(version, "sydent.db"), join(cwd, "sydent.db"));
      const before = new Database(fixturePath(version, "sydent.db"), { readonly: true });
      const count = (db: Database.Database) =>
        (db.prepare("SELECT count(*) AS n FROM global_threepid_associations").get() as { n: number }).n;
      const globalRows = count(before);
      before.close();

      const keyLine = /^ed25519\.signingkey = (.+)$/m.exec(conf)?.[1] ?? "";
      const parsed = parseSigningKeyLine(keyLine);
      assert.ok(parsed.ok, keyLine);
      const expected = signingKeyFromSeed(parsed.key.seed, parsed.key.version).publicKeyBase64;
      if (version === "current") assert.equal(expected, "jMU20N8XMtRBzoR0Oa3ubA6bbOdSUTGXbNQ622tJABI");

      const server = await serveCairn([], { cwd });
      try {
        for (const tree of ["api/v1", "v2"]) {
          assert.deepEqual(await getJson(`${server.url}/_matrix/identity/${tree}/pubkey/ed25519:0`), {
            public_key: expected,
          });
        }
      } finally {
        assert.equal(await server.stop(), 0);
      }
      assert.equal(
        readFileSync(join(cwd, "sydent.conf"), "utf8"),
        conf.replace(/^clientapi\.http\.port = 8090$/m, `clientapi.http.port = ${port}`),
        "the config file is left as it was",
      );
      const db = new Database(join(cwd, "sydent.db"), { readonly: true });
      assert.equal(db.pragma("user_version", { simple: true }), 5);
      assert.equal(db.pragma("integrity_check", { simple: true }), "ok");
      assert.equal(count(db), globalRows);
      db.close();
    });
  }
});

describe("start-up failures", () => {
  test("every fatal config mistake is listed in one message, exit code 1", async () => {
    const cwd = tempDir();
    writeFileSync(
      join(cwd, "sydent.conf"),
      [
        "[general]",
        "server.name = bad.example.org",
        "homeserver_allow_list = example.org",
        "log.level = LOUD",
        "ip.blacklist = 10.0.0.0/33",
        "[http]",
        "clientapi.http.port = eighty",
        "obey_x_forwarded_for = maybe",
        "[email]",
        "email.from = not an address <",
        "[crypto]",
        "ed25519.signingkey = ed25519 0 !!!",
        "",
      ].join("\n"),
    );
    const proc = runCairn(["serve"], { cwd });
    assert.equal(await proc.exited, 1);
    const out = proc.output();
    for (const key of [
      "homeserver_allow_list",
      "log.level",
      "ip.blacklist",
      "clientapi.http.port",
      "obey_x_forwarded_for",
      "email.from",
      "ed25519.signingkey",
    ]) {
      assert.match(out, new RegExp(`\\] ${key.replaceAll(".", "\\.")}:`), `${key} named in:\n${out}`);
    }
    assert.ok(!out.includes("    at "), "no stack trace");
  });

  test("a port already in use is reported plainly", async () => {
    const cwd = tempDir();
    const first = await serveCairn([], { cwd, env: { SYDENT_SERVER_NAME: "a.example.org" } });
    try {
      const other = tempDir();
      copyFileSync(join(cwd, "sydent.conf"), join(other, "sydent.conf"));
      const proc = runCairn(["serve"], { cwd: other });
      assert.equal(await proc.exited, 1);
      assert.match(proc.output(), /cannot listen for the client API on \[::\]:8090/);
    } finally {
      await first.stop();
    }
  });
});

describe("helper commands", () => {
  test("generate-key prints a key line Cairn reads, and its public key", async () => {
    const proc = runCairn(["generate-key"], { cwd: tempDir() });
    assert.equal(await proc.exited, 0);
    const [line, comment] = proc.output().trim().split("\n");
    const parsed = parseSigningKeyLine(line ?? "");
    assert.ok(parsed.ok);
    assert.equal(parsed.key.version, "0");
    const key = signingKeyFromSeed(parsed.key.seed, "0");
    assert.equal(comment, `# public key (ed25519:0): ${key.publicKeyBase64}`);
  });

  test("generate-config prints a config that starts a server", async () => {
    const cwd = tempDir();
    const proc = runCairn(["generate-config"], { cwd });
    assert.equal(await proc.exited, 0);
    const port = await freePort();
    writeFileSync(
      join(cwd, "cairn.conf"),
      proc.output().replace(/^clientapi\.http\.port = 8090$/m, `clientapi.http.port = ${port}`),
    );
    const server = await serveCairn(["--config", "cairn.conf"], { cwd });
    try {
      assert.deepEqual(await getJson(`${server.url}/_matrix/identity/versions`), {
        versions: ["r0.1.0", "r0.2.0", "r0.2.1", "r0.3.0", "v1.1", "v1.2", "v1.3", "v1.4", "v1.5"],
      });
    } finally {
      await server.stop();
    }
  });

  test("--version and unknown commands", async () => {
    const v = runCairn(["--version"], { cwd: tempDir() });
    assert.equal(await v.exited, 0);
    assert.match(v.output(), /^cairn \d+\.\d+\.\d+\n$/);
    const bad = runCairn(["frobnicate"], { cwd: tempDir() });
    assert.equal(await bad.exited, 2);
    assert.match(bad.output(), /unknown command: frobnicate/);
  });
});
