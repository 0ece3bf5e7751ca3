// Leases (cairn_leases): one row per named job, held by one process until it expires. Taking one is
// a single conditional upsert, so two processes racing for it cannot both win.
import type { SqlContext } from "./sql-store.js";
import type { LeaseStore } from "./store.js";

export class SqlLeases implements LeaseStore {
  constructor(private readonly ctx: SqlContext) {}

  async tryAcquire(name: string, holder: string, now: number, ttlMs: number): Promise<boolean> {
    const result = await this.ctx.db
      .insertInto("cairn_leases")
      .values({ name, holder, expires_at: now + ttlMs })
      .onConflict((oc) =>
        oc
          .column("name")
          .doUpdateSet({ holder, expires_at: now + ttlMs })
          .where((eb) =>
            eb.or([eb("cairn_leases.expires_at", "<=", now), eb("cairn_leases.holder", "=", holder)]),
          ),
      )
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async release(name: string, holder: string): Promise<void> {
    await this.ctx.db
      .deleteFrom("cairn_leases")
      .where("name", "=", name)
      .where("holder", "=", holder)
      .execute();
  }
}
