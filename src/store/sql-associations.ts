// Bindings: the local table (this server's own, one row per 3PID, the replication log) and the
// global table (own and replicated rows, what lookups read).

import type { Kysely } from "kysely";
import type { Database } from "./schema/database.js";
import { bulkLookup, lookup, lookupHashes } from "./sql-lookups.js";
import type { SqlContext } from "./sql-store.js";
import type {
  AssociationStore,
  BulkMatch,
  GlobalAssociation,
  LocalAssociation,
  NewGlobalAssociation,
  NewLocalAssociation,
  Threepid,
} from "./store.js";

const localColumns = [
  "id",
  "medium",
  "address",
  "mxid",
  "ts",
  "notBefore",
  "notAfter",
  "lookup_hash",
] as const;

type LocalRow = Omit<LocalAssociation, "lookupHash"> & { lookup_hash: string | null };

function toLocal({ lookup_hash, ...row }: LocalRow): LocalAssociation {
  return { ...row, lookupHash: lookup_hash };
}

export class SqlAssociations implements AssociationStore {
  constructor(private readonly ctx: SqlContext) {}

  /**
   * Sydent's INSERT OR REPLACE: the old row for the 3PID goes and a new one is inserted, so the
   * change gets a new, higher id and is pushed to peers again. Must run in a transaction.
   */
  private async replaceLocal(
    db: Kysely<Database>,
    threepid: Threepid,
    values: Omit<LocalRow, "id" | "medium" | "address">,
  ): Promise<LocalAssociation> {
    await db
      .deleteFrom("local_threepid_associations")
      .where("medium", "=", threepid.medium)
      .where("address", "=", threepid.address)
      .execute();
    const row = await db
      .insertInto("local_threepid_associations")
      .values({ medium: threepid.medium, address: threepid.address, ...values })
      .returning(localColumns)
      .executeTakeFirstOrThrow();
    return toLocal(row);
  }

  upsertLocal(association: NewLocalAssociation): Promise<LocalAssociation> {
    const { medium, address, mxid, ts, notBefore, notAfter, lookupHash } = association;
    return this.ctx.atomic(async (db) => {
      await this.ctx.dialect.lockLocalAssociations(db);
      return this.replaceLocal(
        db,
        { medium, address },
        { mxid, ts, notBefore, notAfter, lookup_hash: lookupHash },
      );
    });
  }

  tombstoneLocal(threepid: Threepid, mxid: string, now: number): Promise<LocalAssociation | undefined> {
    return this.ctx.atomic(async (db) => {
      await this.ctx.dialect.lockLocalAssociations(db);
      const bound = await db
        .selectFrom("local_threepid_associations")
        .select("id")
        .where("medium", "=", threepid.medium)
        .where("address", "=", threepid.address)
        .where("mxid", "=", mxid)
        .executeTakeFirst();
      if (!bound) return undefined;
      const tombstone = { mxid: null, ts: now, notBefore: null, notAfter: null, lookup_hash: null };
      return this.replaceLocal(db, threepid, tombstone);
    });
  }

  async localAfter(afterId: number | null, limit?: number): Promise<LocalAssociation[]> {
    let query = this.ctx.db
      .selectFrom("local_threepid_associations")
      .select(localColumns)
      .where("id", ">", afterId ?? -1)
      .orderBy("id");
    if (limit !== undefined) query = query.limit(limit);
    return (await query.execute()).map(toLocal);
  }

  async countLocalAfter(afterId: number | null): Promise<number> {
    const row = await this.ctx.db
      .selectFrom("local_threepid_associations")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("id", ">", afterId ?? -1)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  lockLocal(): Promise<void> {
    return this.ctx.atomic((db) => this.ctx.dialect.lockLocalAssociations(db));
  }

  async originIdStats(originServer: string): Promise<{ max: number | null; count: number }> {
    const row = await this.ctx.db
      .selectFrom("global_threepid_associations")
      .select((eb) => [eb.fn.max("originId").as("max"), eb.fn.count<number>("originId").as("count")])
      .where("originServer", "=", originServer)
      .executeTakeFirstOrThrow();
    return { max: row.max ?? null, count: Number(row.count) };
  }

  async insertGlobal(association: NewGlobalAssociation): Promise<boolean> {
    const { lookupHash, ...columns } = association;
    const result = await this.ctx.db
      .insertInto("global_threepid_associations")
      .values({ ...columns, lookup_hash: lookupHash })
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async deleteGlobal(threepid: Threepid): Promise<number> {
    const result = await this.ctx.db
      .deleteFrom("global_threepid_associations")
      .where("medium", "=", threepid.medium)
      .where("address", "=", threepid.address)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  lookup(threepid: Threepid, now: number): Promise<GlobalAssociation | undefined> {
    return lookup(this.ctx, threepid, now);
  }

  async boundMxid(threepid: Threepid, now: number): Promise<string | undefined> {
    return (await lookup(this.ctx, threepid, now))?.mxid;
  }

  bulkLookup(threepids: readonly Threepid[], now: number): Promise<BulkMatch[]> {
    return bulkLookup(this.ctx, threepids, now);
  }

  lookupHashes(hashes: readonly string[], now: number): Promise<Map<string, string>> {
    return lookupHashes(this.ctx, hashes, now);
  }
}
