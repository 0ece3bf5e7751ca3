// The SQLite side of `cairn import-sydent`: the operator's sydent.db, opened read-only so that the
// import can never change it (it stays the way back to Sydent). A file whose schema is older than
// the newest Sydent's, or which has no lookup pepper yet, is upgraded in memory instead (the file is
// read once into an in-memory database and Sydent's steps run there), so Sydent's first start never
// has to be run on it beforehand; that needs memory for one copy of the file.

import BetterSqlite3 from "better-sqlite3";
import { migrateCairnSchema, migrateSydentSchema } from "./schema/sqlite-migrate.js";
import { sydentSteps } from "./schema/sydent-sqlite.js";

export class ImportError extends Error {
  override name = "ImportError";
}

export interface ImportSource {
  /** Read-only on the file, or the upgraded in-memory copy. */
  db: BetterSqlite3.Database;
  /** PRAGMA user_version of the file as found. */
  fileVersion: number;
  /** The schema was upgraded (or the pepper is to be created) in memory, not in the file. */
  inMemory: boolean;
  /** The names of the tables it has. */
  tables: ReadonlySet<string>;
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

function tableNames(db: BetterSqlite3.Database): Set<string> {
  return new Set(db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[]);
}

function hasPepper(db: BetterSqlite3.Database, tables: ReadonlySet<string>): boolean {
  if (!tables.has("hashing_metadata")) return false;
  return db.prepare("SELECT 1 FROM hashing_metadata WHERE lookup_pepper IS NOT NULL").get() !== undefined;
}

function inMemoryUpgrade(file: BetterSqlite3.Database): BetterSqlite3.Database {
  const image = file.serialize();
  // Bytes 18 and 19 of the header say WAL; an in-memory database cannot use it. 1 = rollback journal.
  image[18] = 1;
  image[19] = 1;
  const db = new BetterSqlite3(image);
  try {
    // As sqlite.ts: Sydent never enforced foreign keys, one of them names a missing table.
    db.pragma("foreign_keys = OFF");
    migrateSydentSchema(db);
    migrateCairnSchema(db);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/** Opens `path` without ever writing to it; throws ImportError when it is not a Sydent database. */
export function openImportSource(path: string): ImportSource {
  let file: BetterSqlite3.Database;
  try {
    file = new BetterSqlite3(path, { readonly: true, fileMustExist: true });
  } catch (err) {
    throw new ImportError(`cannot open ${path}: ${message(err)}`);
  }
  try {
    const fileVersion = file.pragma("user_version", { simple: true }) as number;
    const tables = tableNames(file);
    if (!tables.has("local_threepid_associations") || !tables.has("global_threepid_associations"))
      throw new ImportError(`${path} is not a Sydent database: it has no association tables`);
    if (fileVersion >= sydentSteps.length && hasPepper(file, tables))
      return { db: file, fileVersion, inMemory: false, tables };
    const db = inMemoryUpgrade(file);
    file.close();
    return { db, fileVersion, inMemory: true, tables: tableNames(db) };
  } catch (err) {
    if (file.open) file.close();
    if (err instanceof ImportError) throw err;
    throw new ImportError(`cannot read ${path}: ${message(err)}`);
  }
}
