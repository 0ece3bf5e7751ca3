import assert from "node:assert/strict";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { loadConfig } from "./load.js";
import { machineFqdn, nodeConfigFs, systemLoadOptions } from "./system.js";

test("node file system: missing files read as null, new files are private, existing ones keep their mode", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "cairn-config-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  assert.equal(nodeConfigFs.readText(join(dir, "absent.conf")), null);
  assert.equal(nodeConfigFs.readText(join(dir, "absent", "below.conf")), null);
  assert.throws(() => nodeConfigFs.readText(dir), /EISDIR/);
  assert.equal(nodeConfigFs.isDirectory(dir), true);
  assert.equal(nodeConfigFs.isDirectory(join(dir, "absent")), false);

  const created = join(dir, "new.conf");
  nodeConfigFs.writeText(created, "[general]\n");
  assert.equal(statSync(created).mode & 0o777, 0o600);
  const existing = join(dir, "old.conf");
  writeFileSync(existing, "x", { mode: 0o644 });
  nodeConfigFs.writeText(existing, "[crypto]\n");
  assert.equal(statSync(existing).mode & 0o777, 0o644);
  assert.equal(nodeConfigFs.readText(existing), "[crypto]\n");
});

test("a first start on the real machine writes a file with a fresh 32-byte key", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "cairn-config-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const options = { ...systemLoadOptions(), cwd: dir, env: { SYDENT_SERVER_NAME: "id.example" } };
  const first = await loadConfig(options);
  assert.equal(first.written, "created");
  assert.equal(first.config.crypto.signingKey.seed.length, 32);
  const again = await loadConfig(options);
  assert.deepEqual(again.config.crypto, first.config.crypto);
  assert.equal(again.written, null);
  assert.ok((await machineFqdn()).length > 0);
});
