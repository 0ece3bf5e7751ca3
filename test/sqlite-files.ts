// Helpers for tests on SQLite files: private copies of fixture databases and a `.schema` twin.

import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type BetterSqlite3 from "better-sqlite3";
import { fixturePath } from "./fixtures.js";

export interface TempFile {
  path: string;
  /** Deletes the copy and its directory (WAL files included). */
  remove(): void;
}

/** A path in a fresh temporary directory; a copy of `fixture` (path parts under the fixtures folder) when given. */
export function tempDatabase(...fixture: string[]): TempFile {
  const dir = mkdtempSync(join(tmpdir(), "cairn-sqlite-"));
  const path = join(dir, "sydent.db");
  if (fixture.length > 0) copyFileSync(fixturePath(...fixture), path);
  return { path, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** What `sqlite3 <file> .schema` prints, leaving out Cairn's own `cairn_*` objects. */
export function sydentSchema(db: BetterSqlite3.Database): string {
  const rows = db
    .prepare("SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY rowid")
    .all() as {
    name: string;
    sql: string;
  }[];
  return rows
    .filter((row) => !row.name.startsWith("cairn_"))
    .map((row) => `${row.sql};\n`)
    .join("");
}
