// SQLite edge: open the file (or `:memory:`), set the connection up, bring the schema to date
// (Sydent's steps, then Cairn's), and hand a Kysely over better-sqlite3 to the shared store.

import BetterSqlite3 from "better-sqlite3";
import { Kysely, SqliteDialect, sql } from "kysely";
import type { Database } from "./schema/database.js";
import { migrateCairnSchema, migrateSydentSchema } from "./schema/sqlite-migrate.js";
import type { SqlDialect } from "./sql-dialect.js";
import { createSqlStore } from "./sql-store.js";
import type { Store } from "./store.js";

/** How long a statement waits for another process's lock before failing with SQLITE_BUSY. */
const busyTimeoutMs = 5000;
/** better-sqlite3's SQLITE_MAX_MMAP_SIZE. */
const MMAP_BYTES = 0x7fff0000;

export const sqliteDialect: SqlDialect = {
  engine: "sqlite",
  // BINARY is SQLite's default collation and its lower() folds ASCII only.
  binary: (expr) => sql<string>`${expr}`,
  inStrings: (expr, values) =>
    sql<boolean>`${expr} IN (SELECT value FROM json_each(${JSON.stringify(values)}))`,
  threepidTable: (threepids) => {
    const pairs = JSON.stringify(threepids.map(({ medium, address }) => [medium, address]));
    return sql`SELECT value ->> 0 AS medium, value ->> 1 AS address FROM json_each(${pairs})`;
  },
  // One connection per process, and Kysely runs a transaction alone on it: nothing to lock.
  lockLocalAssociations: async () => {},
};

function configure(db: BetterSqlite3.Database, file: string): void {
  db.pragma(`busy_timeout = ${busyTimeoutMs}`);
  // better-sqlite3 turns foreign keys on; Sydent never did, and one of its tables declares a
  // foreign key to a table that does not exist (threepid_validations), so keep them off.
  db.pragma("foreign_keys = OFF");
  if (file !== ":memory:") db.pragma("journal_mode = WAL");
  // Reads through a memory map instead of read() calls into SQLite's page cache: a lookup of
  // 1,000 hashes in a million bindings takes about half the CPU. SQLite caps the size at its
  // compile-time maximum (2 GiB for better-sqlite3); beyond it, the rest of the file is read().
  if (file !== ":memory:") db.pragma(`mmap_size = ${MMAP_BYTES}`);
  // After journal_mode: WAL would otherwise default to NORMAL, which can lose the last commits on
  // power loss. FULL syncs every commit.
  db.pragma("synchronous = FULL");
}

/** Opens (creating if missing), sets up and upgrades a Sydent-compatible SQLite database. */
export function openSqliteDatabase(file: string): BetterSqlite3.Database {
  const db = new BetterSqlite3(file);
  try {
    configure(db, file);
    migrateSydentSchema(db);
    migrateCairnSchema(db);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

export async function openSqliteStore(file: string): Promise<Store> {
  return sqliteStoreOnDatabase(openSqliteDatabase(file));
}

/** The store over an open database whose schema is current; closing the store closes the database. */
export function sqliteStoreOnDatabase(database: BetterSqlite3.Database): Store {
  const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
  return createSqlStore(kysely, sqliteDialect, async () => {
    await kysely.destroy();
    // Kysely closes the database only if it ever used it.
    if (database.open) database.close();
  });
}
