// PostgreSQL edge: a `pg` pool (int8 read back as JS numbers), the schema brought to date under an
// advisory lock, and a Kysely over the pool handed to the shared store.

import { Kysely, PostgresDialect, sql } from "kysely";
import pg from "pg";
import type { Database } from "./schema/database.js";
import { migratePostgres } from "./schema/postgres-schema.js";
import type { SqlDialect } from "./sql-dialect.js";
import { createSqlStore } from "./sql-store.js";
import type { Store } from "./store.js";

export const postgresDialect: SqlDialect = {
  engine: "postgres",
  // Byte order, like SQLite's BINARY; lower() under "C" folds ASCII only, like SQLite's.
  binary: (expr) => sql<string>`${expr} COLLATE "C"`,
  inStrings: (expr, values) => sql<boolean>`${expr} = ANY(CAST(${values} AS text[]))`,
  threepidTable: (threepids) => {
    const mediums = threepids.map((t) => t.medium);
    const addresses = threepids.map((t) => t.address);
    return sql`SELECT * FROM unnest(CAST(${mediums} AS text[]), CAST(${addresses} AS text[])) AS t(medium, address)`;
  },
  lockLocalAssociations: async (tx) => {
    // Held until commit: the next writer allocates its id only after this one is visible, so
    // a replication pusher reading "id > last sent" never skips a row committed late.
    await sql`SELECT pg_advisory_xact_lock(hashtextextended('cairn.local_threepid_associations.' || current_schema(), 0))`.execute(
      tx,
    );
  },
};

export interface PostgresOptions {
  /** libpq-style URL, e.g. postgres://user@host:5432/db (`?options=-c search_path=...` is honoured). */
  url: string;
  /** Connections in the pool. */
  poolSize: number;
}

/** A pool on the database, schema untouched. */
export function newPostgresPool(options: PostgresOptions): pg.Pool {
  // Ids, timestamps and counts are int8: numbers well below 2^53 (ms until year 287396).
  const types = new pg.TypeOverrides();
  types.setTypeParser(pg.types.builtins.INT8, Number);
  const pool = new pg.Pool({ connectionString: options.url, max: options.poolSize, types });
  // A connection that breaks (database restart, network cut) emits "error": on the pool when it
  // was idle, on the client when it was checked out between two queries (as in a transaction).
  // Unheard, either would end the process. The query in progress fails where it was made; the pool
  // drops the broken connection and the next query opens a new one (/_cairn/ready reports outages).
  pool.on("error", () => {});
  pool.on("connect", (client) => client.on("error", () => {}));
  return pool;
}

/** A pool on the database with the schema brought to date. */
export async function openPostgresPool(options: PostgresOptions): Promise<pg.Pool> {
  const pool = newPostgresPool(options);
  try {
    await migratePostgres(pool);
    return pool;
  } catch (error) {
    await pool.end();
    throw error;
  }
}

export async function openPostgresStore(options: PostgresOptions): Promise<Store> {
  return postgresStoreOnPool(await openPostgresPool(options));
}

/** The store over a pool whose schema is current; closing the store ends the pool. */
export function postgresStoreOnPool(pool: pg.Pool): Store {
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return createSqlStore(
    kysely,
    postgresDialect,
    async () => {
      await kysely.destroy();
      // Kysely ends the pool only if it ever used it.
      if (!pool.ending && !pool.ended) await pool.end();
    },
    () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
  );
}
