// The few places where SQLite and PostgreSQL need different SQL. Everything else in the store is
// one Kysely query for both engines. Each engine file (sqlite.ts, postgres.ts) provides one of these.

import type { Expression, Kysely, RawBuilder } from "kysely";
import type { Database } from "./schema/database.js";
import type { Engine, Threepid } from "./store.js";

export interface SqlDialect {
  readonly engine: Engine;
  /**
   * `expr` compared and ordered by code point, as SQLite's default BINARY collation does. ASCII
   * lower-casing is `lower(binary(expr))`: SQLite's lower() only folds ASCII, and PostgreSQL's
   * does the same under the "C" collation (the expression index on PostgreSQL is built that way).
   */
  binary(expr: Expression<string>): RawBuilder<string>;
  /** `expr IN (values)` with all values bound as ONE parameter, whatever their number. */
  inStrings(expr: Expression<string | null>, values: readonly string[]): RawBuilder<boolean>;
  /** A derived table with columns `medium` and `address`, bound as one (SQLite) or two (PostgreSQL) parameters. */
  threepidTable(threepids: readonly Threepid[]): RawBuilder<Threepid>;
  /**
   * Called inside a transaction before writing local associations: serialises those writers until
   * commit, so ids (the replication sequence) become visible in increasing order.
   */
  lockLocalAssociations(tx: Kysely<Database>): Promise<void>;
}
