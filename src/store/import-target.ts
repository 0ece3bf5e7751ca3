// The PostgreSQL side of `cairn import-sydent`: refuses a database holding anything but an earlier
// run of this import, keeps the per-table progress that makes an interrupted import resumable, and
// moves the identity sequences past the copied ids.

import type pg from "pg";
import { ImportError } from "./import-source.js";
import { postgresSteps } from "./schema/postgres-schema.js";

/** One row per copied table: the last SQLite rowid committed and how many rows that made. */
export const PROGRESS_TABLE = "cairn_import_progress";

/** The tables Cairn's PostgreSQL schema creates (cairn_schema is created by the migration itself). */
export const cairnTables = new Set([
  "cairn_schema",
  ...postgresSteps.flat().flatMap((statement) => /^CREATE TABLE (\w+)/.exec(statement)?.[1] ?? []),
]);

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

export async function countRows(client: pg.ClientBase, table: string): Promise<number> {
  const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${quote(table)}`);
  return Number(rows[0]?.n ?? 0);
}

/**
 * Whether this is a re-run of an interrupted (or finished) import. A database holding anything else,
 * Cairn's own data included (a Cairn started on it creates the pepper), is refused: the copy keeps
 * Sydent's ids, which would collide with rows already there.
 */
export async function checkTarget(client: pg.ClientBase): Promise<{ resuming: boolean }> {
  const { rows: schema } = await client.query<{ name: string | null }>("SELECT current_schema() AS name");
  const name = schema[0]?.name ?? null;
  if (name === null)
    throw new ImportError("the target's search_path names no existing schema: create the schema first");
  const { rows } = await client.query<{ table: string }>(
    "SELECT table_name AS table FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY 1",
  );
  const tables = rows.map((row) => row.table);
  if (tables.includes(PROGRESS_TABLE)) return { resuming: true };
  const foreign = tables.filter((table) => !cairnTables.has(table));
  if (foreign.length > 0) {
    const shown = foreign.slice(0, 5).join(", ") + (foreign.length > 5 ? ", ..." : "");
    throw new ImportError(
      `the target schema "${name}" already holds tables that are not Cairn's (${shown}): ` +
        "import into an empty database (or an empty schema of its own)",
    );
  }
  for (const table of tables) {
    if (table === "cairn_schema") continue;
    const rowCount = await countRows(client, table);
    if (rowCount > 0)
      throw new ImportError(
        `the target schema "${name}" already holds Cairn data (${rowCount} rows in ${table}): ` +
          "import only into an empty database, e.g. before Cairn is first started on it",
      );
  }
  return { resuming: false };
}

export async function createProgressTable(client: pg.ClientBase): Promise<void> {
  await client.query(
    `CREATE TABLE IF NOT EXISTS ${PROGRESS_TABLE} (table_name text PRIMARY KEY, last_rowid bigint NOT NULL,
      copied bigint NOT NULL)`,
  );
}

export interface TableProgress {
  lastRowid: number;
  copied: number;
}

export async function readProgress(client: pg.ClientBase, table: string): Promise<TableProgress> {
  const { rows } = await client.query<{ last_rowid: string; copied: string }>(
    `SELECT last_rowid, copied FROM ${PROGRESS_TABLE} WHERE table_name = $1`,
    [table],
  );
  const row = rows[0];
  return row === undefined
    ? { lastRowid: Number.MIN_SAFE_INTEGER, copied: 0 }
    : { lastRowid: Number(row.last_rowid), copied: Number(row.copied) };
}

type Value = string | number | null;

/** Inserts one batch and records the progress in the same transaction: a batch is copied once or not at all. */
export async function insertBatch(
  client: pg.ClientBase,
  table: string,
  columns: readonly string[],
  rows: readonly Value[][],
  progress: TableProgress,
): Promise<void> {
  const params: Value[] = [];
  const tuples = rows.map((row) => `(${row.map((value) => `$${params.push(value)}`).join(", ")})`);
  await client.query("BEGIN");
  try {
    await client.query(
      `INSERT INTO ${quote(table)} (${columns.map(quote).join(", ")}) VALUES ${tuples.join(", ")}`,
      params,
    );
    await client.query(
      `INSERT INTO ${PROGRESS_TABLE} (table_name, last_rowid, copied) VALUES ($1, $2, $3)
        ON CONFLICT (table_name) DO UPDATE SET last_rowid = EXCLUDED.last_rowid, copied = EXCLUDED.copied`,
      [table, progress.lastRowid, progress.copied],
    );
    await client.query("COMMIT");
  } catch (err) {
    await client.query("ROLLBACK");
    throw err;
  }
}

/** The table's columns in PostgreSQL, in their order. */
export async function targetColumns(client: pg.ClientBase, table: string): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT column_name AS name FROM information_schema.columns
      WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`,
    [table],
  );
  return rows.map((row) => row.name);
}

/**
 * Moves the table's identity sequence, when it has one, past both its highest id and SQLite's
 * AUTOINCREMENT counter (`sqlite_sequence`, which can be higher): local ids are the replication
 * sequence and are never reused.
 */
export async function resetSequence(
  client: pg.ClientBase,
  table: string,
  sqliteSequence: number,
): Promise<void> {
  const { rows: identity } = await client.query(
    `SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1
      AND column_name = 'id' AND is_identity = 'YES'`,
    [table],
  );
  if (identity.length === 0) return;
  const { rows } = await client.query<{ max: string | null }>(`SELECT max(id) AS max FROM ${quote(table)}`);
  const last = Math.max(Number(rows[0]?.max ?? 0), sqliteSequence);
  await client.query("SELECT setval(pg_get_serial_sequence($1, 'id'), $2, $3)", [
    quote(table),
    Math.max(last, 1),
    last >= 1,
  ]);
}
