// Brings a SQLite database to the current schema: Sydent's steps exactly as Sydent applies them
// (PRAGMA user_version 0..5), then Cairn's own. Each step runs in its own IMMEDIATE transaction
// together with its version bump and re-checks the version inside it, so a crash leaves a
// consistent version and two processes opening the same file at once do not apply a step twice.

import type BetterSqlite3 from "better-sqlite3";
import { cairnSqliteSteps } from "./cairn-sqlite.js";
import { sydentSteps, sydentV0Scripts } from "./sydent-sqlite.js";

type Db = BetterSqlite3.Database;

function userVersion(db: Db): number {
  return db.pragma("user_version", { simple: true }) as number;
}

function cairnVersion(db: Db): number {
  const row = db.prepare("SELECT version FROM cairn_schema").get() as { version: number } | undefined;
  return row?.version ?? 0;
}

export function migrateSydentSchema(db: Db): void {
  db.transaction(() => {
    // Sydent replays its version-0 scripts whenever user_version is 0 (a fresh or a v0 database).
    if (userVersion(db) === 0) for (const script of sydentV0Scripts) db.exec(script);
  }).immediate();
  sydentSteps.forEach((statements, index) => {
    const target = index + 1;
    db.transaction(() => {
      // A database beyond this step (including user_version > 5) is left as it is, as Sydent does.
      if (userVersion(db) >= target) return;
      for (const statement of statements) db.exec(statement);
      db.pragma(`user_version = ${target}`);
    }).immediate();
  });
}

export function migrateCairnSchema(db: Db): void {
  db.exec("CREATE TABLE IF NOT EXISTS cairn_schema (version integer not null)");
  cairnSqliteSteps.forEach((statements, index) => {
    const target = index + 1;
    db.transaction(() => {
      const current = cairnVersion(db);
      if (current >= target) return;
      for (const statement of statements) db.exec(statement);
      if (current === 0) db.prepare("INSERT INTO cairn_schema (version) VALUES (?)").run(target);
      else db.prepare("UPDATE cairn_schema SET version = ?").run(target);
    }).immediate();
  });
}
