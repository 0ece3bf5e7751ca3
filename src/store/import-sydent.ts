// `cairn import-sydent`: copies a Sydent (or Cairn) SQLite database into PostgreSQL, every table,
// ids kept, in batches. Each batch commits together with the table's progress (the last SQLite
// rowid copied), so an interrupted import, run again, continues where it stopped without copying a
// row twice. It ends by comparing row counts, the pepper and a sample of lookups on both engines.

import type BetterSqlite3 from "better-sqlite3";
import type pg from "pg";
import { ImportError, openImportSource, type ImportSource } from "./import-source.js";
import {
  checkTarget,
  countRows,
  createProgressTable,
  insertBatch,
  readProgress,
  resetSequence,
  targetColumns,
} from "./import-target.js";
import { compareLookups, type LookupCheck } from "./import-verify.js";
import { newPostgresPool, postgresStoreOnPool } from "./postgres.js";
import { migratePostgres } from "./schema/postgres-schema.js";
import { sqliteStoreOnDatabase } from "./sqlite.js";
import type { LookupHashFunction, Store } from "./store.js";

export { ImportError } from "./import-source.js";

/**
 * Every table with lasting data, in an order where what a row refers to comes first (the pepper
 * before the hashes, peers before their keys, accounts before tokens, sessions before their tokens
 * and links, invitations before their keys, bindings before their notifications). Columns are
 * those both sides have; a column a very old file lacks is left to PostgreSQL's default.
 */
export const copiedTables: readonly string[] = [
  "hashing_metadata",
  "peers",
  "peer_pubkeys",
  "accounts",
  "tokens",
  "accepted_terms_urls",
  "threepid_validation_sessions",
  "threepid_token_auths",
  "cairn_session_next_links",
  "local_threepid_associations",
  "global_threepid_associations",
  "invite_tokens",
  "ephemeral_public_keys",
  "cairn_invite_keys",
  "cairn_onbind_queue",
];

/**
 * Not copied: the schema version (PostgreSQL has its own) and leases, which coordinate the
 * processes running on one database and expire within minutes.
 */
export const tablesNotCopied: readonly string[] = ["cairn_schema", "cairn_leases"];

export interface ImportOptions {
  /** The SQLite file; only ever read. */
  from: string;
  /** PostgreSQL URL; its schema (search_path) must be empty or hold an earlier run of this import. */
  to: string;
  /** The pepper for a database that has none yet (Sydent creates it on its first start). */
  newPepper: () => string;
  hash: LookupHashFunction;
  /** Lookups are compared as of this time (ms). */
  now: number;
  /** Rows per INSERT. */
  batchSize?: number;
  /** Called after each committed batch, with the rows of the table copied so far. */
  onBatch?: (table: string, copied: number) => void;
}

export interface TableCount {
  table: string;
  sqlite: number;
  postgres: number;
}

export interface ImportReport {
  /** PRAGMA user_version of the file. */
  fileVersion: number;
  /** The file's schema was upgraded (or its pepper created) in memory. */
  upgradedInMemory: boolean;
  /** The file had no pepper: one was created (or an earlier run's reused) and every row hashed with it. */
  pepperCreated: boolean;
  /** An earlier, interrupted run was continued. */
  resumed: boolean;
  counts: TableCount[];
  pepper: { sqlite: string | undefined; postgres: string | undefined };
  lookups: LookupCheck;
  /** Counts, pepper and lookups all agree. */
  ok: boolean;
}

type Value = string | number | null;

/** SQLite's values as `pg` sends them: 64-bit integers (read exactly) as decimal text, blobs as UTF-8. */
function toPg(value: unknown): Value {
  if (typeof value === "bigint") return value.toString();
  if (Buffer.isBuffer(value)) return value.toString("utf8");
  return value as Value;
}

function sourceColumns(db: BetterSqlite3.Database, table: string): Set<string> {
  return new Set(db.prepare(`SELECT name FROM pragma_table_info(?)`).pluck().all(table) as string[]);
}

async function copyTable(
  source: ImportSource,
  client: pg.ClientBase,
  table: string,
  batchSize: number,
  onBatch: ImportOptions["onBatch"],
): Promise<void> {
  const present = sourceColumns(source.db, table);
  const columns = (await targetColumns(client, table)).filter((column) => present.has(column));
  const select = source.db
    .prepare(
      `SELECT rowid, ${columns.map((c) => `"${c}"`).join(", ")} FROM "${table}"
       WHERE rowid > ? ORDER BY rowid LIMIT ?`,
    )
    .raw()
    .safeIntegers();
  const progress = await readProgress(client, table);
  for (;;) {
    const rows = select.all(BigInt(progress.lastRowid), batchSize) as unknown[][];
    const last = rows.at(-1);
    if (last === undefined) return;
    progress.lastRowid = Number(last[0]);
    progress.copied += rows.length;
    const values = rows.map((row) => row.slice(1).map(toPg));
    try {
      await insertBatch(client, table, columns, values, progress);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      // A unique key already taken: on a re-run, rows the first run copied were since replaced in
      // the file (a binding re-made gets a new id), i.e. Sydent or Cairn ran on it in between.
      const hint =
        (err as { code?: unknown }).code === "23505"
          ? " (did Sydent or Cairn run on the file since the import began? Then empty the target and import again)"
          : "";
      throw new ImportError(
        `copying ${table} (SQLite rowids up to ${progress.lastRowid}) failed: ${reason}${hint}`,
      );
    }
    onBatch?.(table, progress.copied);
  }
}

/**
 * Sydent's start-up step for a file without a pepper, done on the in-memory copy; a re-run reuses
 * the pepper its first run copied. A re-run whose copied pepper differs from the file's is copying
 * another database and stops before mixing the two.
 */
async function settlePepper(store: Store, client: pg.ClientBase, options: ImportOptions): Promise<boolean> {
  const { rows } = await client.query<{ lookup_pepper: string | null }>(
    "SELECT lookup_pepper FROM hashing_metadata ORDER BY id LIMIT 1",
  );
  const copied = rows[0]?.lookup_pepper ?? undefined;
  const own = await store.hashing.getPepper();
  if (own === undefined) {
    await store.hashing.setPepperAndRehash(copied ?? options.newPepper(), options.hash);
    return true;
  }
  if (copied !== undefined && copied !== own)
    throw new ImportError(
      "the target holds a partial import of another database (its lookup pepper differs): " +
        "re-run with the same --from, or import into an empty database",
    );
  return false;
}

async function copyAll(source: ImportSource, client: pg.ClientBase, options: ImportOptions): Promise<void> {
  const tables = copiedTables.filter((table) => source.tables.has(table));
  for (const table of tables)
    await copyTable(source, client, table, options.batchSize ?? 1000, options.onBatch);
  const sequences = new Map<string, number>(
    source.tables.has("sqlite_sequence")
      ? (source.db.prepare("SELECT name, seq FROM sqlite_sequence").raw().all() as [string, number][])
      : [],
  );
  for (const table of tables) await resetSequence(client, table, sequences.get(table) ?? 0);
}

async function verify(
  source: ImportSource,
  sqlite: Store,
  postgres: Store,
  client: pg.ClientBase,
  now: number,
): Promise<Omit<ImportReport, "fileVersion" | "upgradedInMemory" | "pepperCreated" | "resumed">> {
  const counts: TableCount[] = [];
  for (const name of copiedTables.filter((table) => source.tables.has(table))) {
    const sqliteCount = Number(source.db.prepare(`SELECT count(*) FROM "${name}"`).pluck().get());
    counts.push({ table: name, sqlite: sqliteCount, postgres: await countRows(client, name) });
  }
  const pepper = { sqlite: await sqlite.hashing.getPepper(), postgres: await postgres.hashing.getPepper() };
  const lookups = await compareLookups({ db: source.db, store: sqlite }, postgres, now);
  const ok =
    counts.every((c) => c.sqlite === c.postgres) &&
    pepper.sqlite === pepper.postgres &&
    lookups.differences.length === 0;
  return { counts, pepper, lookups, ok };
}

/** Copies `from` into `to` (or continues an interrupted copy) and verifies the result. */
export async function importSydent(options: ImportOptions): Promise<ImportReport> {
  const source = openImportSource(options.from);
  const sqlite = sqliteStoreOnDatabase(source.db);
  const pool = newPostgresPool({ url: options.to, poolSize: 2 });
  const postgres = postgresStoreOnPool(pool);
  try {
    const client = await pool.connect().catch((err: unknown) => {
      throw new ImportError(
        `cannot connect to PostgreSQL: ${err instanceof Error ? err.message : String(err)}`,
      );
    });
    try {
      const lockKey = "hashtextextended('cairn.import-sydent.' || coalesce(current_schema(), ''), 0)";
      const { rows } = await client.query<{ locked: boolean }>(
        `SELECT pg_try_advisory_lock(${lockKey}) AS locked`,
      );
      if (rows[0]?.locked !== true)
        throw new ImportError("another import-sydent is running into this database");
      const { resuming } = await checkTarget(client);
      await migratePostgres(pool);
      await createProgressTable(client);
      const pepperCreated = await settlePepper(sqlite, client, options);
      await copyAll(source, client, options);
      const result = await verify(source, sqlite, postgres, client, options.now);
      return {
        fileVersion: source.fileVersion,
        upgradedInMemory: source.inMemory,
        pepperCreated,
        resumed: resuming,
        ...result,
      };
    } finally {
      // Ending the session releases the advisory lock.
      client.release(true);
    }
  } finally {
    await postgres.close();
    // Closes the file (or drops the in-memory copy).
    await sqlite.close();
  }
}
