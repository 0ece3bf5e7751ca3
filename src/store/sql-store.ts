// The one Store implementation: Kysely queries shared by both engines, assembled from one file per
// role. Engine specifics come in through SqlDialect; connections are opened by sqlite.ts/postgres.ts.

import { sql, type Kysely } from "kysely";
import type { Database } from "./schema/database.js";
import type { SqlDialect } from "./sql-dialect.js";
import { SqlAccounts } from "./sql-accounts.js";
import { SqlAssociations } from "./sql-associations.js";
import { SqlHashing } from "./sql-hashing.js";
import { SqlInvites } from "./sql-invites.js";
import { SqlLeases } from "./sql-leases.js";
import { SqlOnbind } from "./sql-onbind.js";
import { SqlPeers } from "./sql-peers.js";
import { SqlSessions } from "./sql-sessions.js";
import type { PoolState, Store, Transactional } from "./store.js";

/** What each role works with: a connection (or a transaction) and the dialect. */
export interface SqlContext {
  readonly db: Kysely<Database>;
  readonly dialect: SqlDialect;
  /** Runs fn in the current transaction when there is one, else in a new one. */
  atomic<T>(fn: (db: Kysely<Database>) => Promise<T>): Promise<T>;
}

function rootContext(db: Kysely<Database>, dialect: SqlDialect): SqlContext {
  return { db, dialect, atomic: (fn) => db.transaction().execute(fn) };
}

function transactionContext(tx: Kysely<Database>, dialect: SqlDialect): SqlContext {
  return { db: tx, dialect, atomic: (fn) => fn(tx) };
}

function view(ctx: SqlContext, inTransaction: boolean): Transactional {
  const self: Transactional = {
    sessions: new SqlSessions(ctx),
    associations: new SqlAssociations(ctx),
    hashing: new SqlHashing(ctx),
    invites: new SqlInvites(ctx),
    accounts: new SqlAccounts(ctx),
    peers: new SqlPeers(ctx),
    leases: new SqlLeases(ctx),
    onbind: new SqlOnbind(ctx),
    transaction: (fn) =>
      inTransaction
        ? fn(self)
        : ctx.db.transaction().execute((tx) => fn(view(transactionContext(tx, ctx.dialect), true))),
  };
  return self;
}

/** Builds the Store over an open, migrated database. `close` releases the connection(s). */
export function createSqlStore(
  db: Kysely<Database>,
  dialect: SqlDialect,
  close: () => Promise<void>,
  connections: () => PoolState | null = () => null,
): Store {
  const ping = async () => {
    await sql`SELECT 1`.execute(db);
  };
  return { ...view(rootContext(db, dialect), false), engine: dialect.engine, ping, connections, close };
}
