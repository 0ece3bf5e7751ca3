import { cairnSqliteSteps } from "./schema/cairn-sqlite.js";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { test } from "node:test";
import BetterSqlite3 from "better-sqlite3";
import { fixturePath } from "../../test/fixtures.js";
import { sydentSchema, tempDatabase } from "../../test/sqlite-files.js";
import { openSqliteDatabase, openSqliteStore } from "./sqlite.js";
import { runStoreSuite } from "./store-suite.js";

runStoreSuite("SQLite store (:memory:)", async () => {
  const store = await openSqliteStore(":memory:");
  return { store, cleanup: () => store.close() };
});

runStoreSuite("SQLite store (file, WAL)", async () => {
  const file = tempDatabase();
  const store = await openSqliteStore(file.path);
  return {
    store,
    cleanup: async () => {
      await store.close();
      file.remove();
    },
  };
});

const expectedSchema = () => readFileSync(fixturePath("expected-schema-after-upgrade.sql"), "utf8");

test("a new file gets Sydent's schema byte for byte, Cairn's objects aside, and durable settings", () => {
  const file = tempDatabase();
  try {
    const db = openSqliteDatabase(file.path);
    assert.equal(sydentSchema(db), expectedSchema());
    assert.equal(db.pragma("user_version", { simple: true }), 5);
    assert.equal(db.pragma("journal_mode", { simple: true }), "wal");
    assert.equal(db.pragma("synchronous", { simple: true }), 2); // FULL
    assert.equal(db.pragma("foreign_keys", { simple: true }), 0); // as Sydent
    assert.equal(db.pragma("busy_timeout", { simple: true }), 5000);
    assert.equal(db.pragma("mmap_size", { simple: true }), 0x7fff0000);
    assert.equal(db.prepare("SELECT version FROM cairn_schema").pluck().get(), cairnSqliteSteps.length);
    const cairn = db
      .prepare("SELECT name FROM sqlite_master WHERE name LIKE 'cairn%' ORDER BY name")
      .pluck()
      .all();
    assert.deepEqual(cairn, [
      "cairn_invite_keys",
      "cairn_invite_keys_expires_at",
      "cairn_invite_keys_public_key",
      "cairn_leases",
      "cairn_onbind_queue",
      "cairn_onbind_queue_next_attempt_ts",
      "cairn_schema",
      "cairn_session_next_links",
      "cairn_session_next_links_sid",
      "cairn_threepid_token_auths_session",
      "cairn_threepid_validation_sessions_threepid",
    ]);
    db.close();
  } finally {
    file.remove();
  }
});

test(":memory: databases work without WAL", () => {
  const db = openSqliteDatabase(":memory:");
  assert.equal(db.pragma("journal_mode", { simple: true }), "memory");
  assert.equal(sydentSchema(db), expectedSchema());
  db.close();
});

test("opening again changes nothing", () => {
  const file = tempDatabase();
  try {
    openSqliteDatabase(file.path).close();
    const dump = (db: ReturnType<typeof openSqliteDatabase>) =>
      db.prepare("SELECT type, name, sql FROM sqlite_master ORDER BY rowid").all();
    const first = openSqliteDatabase(file.path);
    const before = dump(first);
    first.close();
    const second = openSqliteDatabase(file.path);
    assert.deepEqual(dump(second), before);
    assert.deepEqual(second.prepare("SELECT version FROM cairn_schema").all(), [
      { version: cairnSqliteSteps.length },
    ]);
    second.close();
  } finally {
    file.remove();
  }
});

test("a database beyond user_version 5 is opened as it is", () => {
  const file = tempDatabase();
  try {
    const db = openSqliteDatabase(file.path);
    db.exec("DROP INDEX global_threepid_lookup_hash");
    db.pragma("user_version = 6");
    db.close();
    const again = openSqliteDatabase(file.path);
    assert.equal(again.pragma("user_version", { simple: true }), 6);
    assert.equal(
      again
        .prepare("SELECT count(*) FROM sqlite_master WHERE name = 'global_threepid_lookup_hash'")
        .pluck()
        .get(),
      0,
    );
    again.close();
  } finally {
    file.remove();
  }
});

test("a step that fails is rolled back whole and the version stays where it was", () => {
  const file = tempDatabase();
  try {
    // A v3 database where step 4's first table somehow exists already: step 4 cannot apply.
    const db = openSqliteDatabase(file.path);
    db.exec("DROP TABLE tokens; DROP TABLE accepted_terms_urls");
    db.pragma("user_version = 3");
    db.close();
    assert.throws(() => openSqliteDatabase(file.path), /accounts already exists/);
    const after = new BetterSqlite3(file.path, { readonly: true });
    assert.equal(after.pragma("user_version", { simple: true }), 3);
    assert.equal(after.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'tokens'").pluck().get(), 0);
    after.close();
  } finally {
    file.remove();
  }
});

test("a version-0 database missing tables gets them from Sydent's version-0 scripts", () => {
  const file = tempDatabase("v0", "sydent.db");
  try {
    const db = new BetterSqlite3(file.path);
    db.exec("DROP TABLE invite_tokens; DROP TABLE ephemeral_public_keys");
    db.close();
    const upgraded = openSqliteDatabase(file.path);
    assert.equal(upgraded.pragma("user_version", { simple: true }), 5);
    const names = upgraded.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all();
    assert.ok(names.includes("invite_tokens") && names.includes("ephemeral_public_keys"));
    upgraded.close();
  } finally {
    file.remove();
  }
});

test("closing an unused store closes the file (SQLite removes the WAL files on last close)", async () => {
  const file = tempDatabase();
  try {
    const store = await openSqliteStore(file.path);
    assert.ok(existsSync(`${file.path}-wal`));
    await store.close();
    assert.equal(existsSync(`${file.path}-wal`), false);
  } finally {
    file.remove();
  }
});
