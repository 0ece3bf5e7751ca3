// The lookup pepper (hashing_metadata, one row with id 0) and the rehash of every stored 3PID.

import { sql } from "kysely";
import type { Kysely } from "kysely";
import type { Database } from "./schema/database.js";
import type { SqlContext } from "./sql-store.js";
import type { HashingStore, LookupHashFunction } from "./store.js";

const batchSize = 500;

type AssociationTable = "local_threepid_associations" | "global_threepid_associations";

/** Walks the table in id order, one SELECT and one UPDATE per batch; rows lacking a medium or address are skipped, as Sydent does. */
async function rehashTable(
  db: Kysely<Database>,
  table: AssociationTable,
  pepper: string,
  hash: LookupHashFunction,
): Promise<void> {
  for (let after = -1; ;) {
    const rows = await db
      .selectFrom(table)
      .select(["id", "medium", "address"])
      .where("id", ">", after)
      .orderBy("id")
      .limit(batchSize)
      .execute();
    const last = rows[rows.length - 1];
    if (last === undefined) return;
    after = last.id;
    const values = rows
      .filter((row) => row.medium !== "" && row.address !== "")
      .map((row) => sql`(CAST(${row.id} AS bigint), ${hash(row.address, row.medium, pepper)})`);
    if (values.length === 0) continue;
    // VALUES columns are named column1, column2 on both engines.
    await sql`
      UPDATE ${sql.table(table)} SET lookup_hash = v.column2
      FROM (VALUES ${sql.join(values)}) AS v
      WHERE ${sql.table(table)}.id = v.column1
    `.execute(db);
  }
}

export class SqlHashing implements HashingStore {
  constructor(private readonly ctx: SqlContext) {}

  async getPepper(): Promise<string | undefined> {
    const row = await this.ctx.db
      .selectFrom("hashing_metadata")
      .select("lookup_pepper")
      .orderBy("id")
      .limit(1)
      .executeTakeFirst();
    return row?.lookup_pepper ?? undefined;
  }

  setPepperAndRehash(pepper: string, hash: LookupHashFunction): Promise<void> {
    return this.ctx.atomic(async (db) => {
      await db
        .insertInto("hashing_metadata")
        .values({ id: 0, lookup_pepper: pepper })
        .onConflict((oc) => oc.column("id").doUpdateSet({ lookup_pepper: pepper }))
        .execute();
      await rehashTable(db, "local_threepid_associations", pepper, hash);
      await rehashTable(db, "global_threepid_associations", pepper, hash);
    });
  }
}
