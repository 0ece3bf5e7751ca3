// The server process deletes stale validation sessions as soon as it starts (and every ten minutes).
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import Database from "better-sqlite3";
import { fixturePath } from "./fixtures.js";
import { freePort, serveCairn } from "./process.js";

test("a started server deletes sessions untouched for five days and keeps the others", async () => {
  const cwd = mkdtempSync(join(tmpdir(), "cairn-cleanup-"));
  try {
    const port = await freePort();
    const conf = readFileSync(fixturePath("current", "sydent.conf"), "utf8");
    writeFileSync(
      join(cwd, "sydent.conf"),
      conf.replace(/^clientapi\.http\.port = 8090$/m, `clientapi.http.port = ${port}`),
    );
    copyFileSync(fixturePath("current", "sydent.db"), join(cwd, "sydent.db"));
    const db = new Database(join(cwd, "sydent.db"));
    const add = db.prepare(
      "INSERT INTO threepid_validation_sessions (id, medium, address, clientSecret, validated, mtime) VALUES (?, 'email', ?, 's', 0, ?)",
    );
    const fiveDays = 5 * 24 * 60 * 60 * 1000;
    add.run(11, "stale@example.org", Date.now() - fiveDays - 60_000);
    add.run(12, "fresh@example.org", Date.now());
    db.close();

    const server = await serveCairn([], { cwd });
    try {
      const ids = () => {
        const reader = new Database(join(cwd, "sydent.db"), { readonly: true });
        try {
          return (
            reader
              .prepare("SELECT id FROM threepid_validation_sessions WHERE id IN (11, 12)")
              .pluck()
              .all() as number[]
          ).sort();
        } finally {
          reader.close();
        }
      };
      const deadline = Date.now() + 10_000;
      while (ids().includes(11) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual(ids(), [12]);
    } finally {
      assert.equal(await server.stop(), 0);
    }
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
});
