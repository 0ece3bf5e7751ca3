// The onbind queue (cairn_onbind_queue): bind notifications waiting for their homeserver. A row
// stays until it is delivered or given up, so a restart loses none; a sender claims rows by moving
// their next attempt past the time it needs, so two instances never send one row at once.

import type { Selectable } from "kysely";
import type { Database } from "./schema/database.js";
import type { SqlContext } from "./sql-store.js";
import type { NewOnbindNotification, OnbindNotification, OnbindStore } from "./store.js";

type Row = Selectable<Database["cairn_onbind_queue"]>;

const toNotification = (row: Row): OnbindNotification => ({
  id: row.id,
  destination: row.destination,
  body: row.body,
  createdTs: row.created_ts,
  nextAttemptTs: row.next_attempt_ts,
  attempts: row.attempts,
  lastError: row.last_error,
});

export class SqlOnbind implements OnbindStore {
  constructor(private readonly ctx: SqlContext) {}

  async enqueue(notification: NewOnbindNotification): Promise<OnbindNotification> {
    const row = await this.ctx.db
      .insertInto("cairn_onbind_queue")
      .values({
        destination: notification.destination,
        body: notification.body,
        created_ts: notification.now,
        next_attempt_ts: notification.now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toNotification(row);
  }

  async claimDue(now: number, limit: number, claimUntil: number): Promise<OnbindNotification[]> {
    // The outer `next_attempt_ts <= now` matters on PostgreSQL: an UPDATE that waited for a
    // concurrent claim of the same row re-checks its own WHERE against the claimed row (not the
    // subquery), finds it no longer due and skips it. SQLite runs one writer at a time.
    const rows = await this.ctx.db
      .updateTable("cairn_onbind_queue")
      .set({ next_attempt_ts: claimUntil })
      .where("next_attempt_ts", "<=", now)
      .where("id", "in", (eb) =>
        eb
          .selectFrom("cairn_onbind_queue")
          .select("id")
          .where("next_attempt_ts", "<=", now)
          .orderBy("next_attempt_ts")
          .orderBy("id")
          .limit(limit),
      )
      .returningAll()
      .execute();
    return rows.map(toNotification).sort((a, b) => a.id - b.id);
  }

  async markDelivered(id: number): Promise<boolean> {
    const result = await this.ctx.db.deleteFrom("cairn_onbind_queue").where("id", "=", id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async reschedule(id: number, nextAttemptTs: number, lastError: string): Promise<void> {
    await this.ctx.db
      .updateTable("cairn_onbind_queue")
      .set((eb) => ({
        next_attempt_ts: nextAttemptTs,
        attempts: eb("attempts", "+", 1),
        last_error: lastError,
      }))
      .where("id", "=", id)
      .execute();
  }

  async giveUp(id: number, lastError: string): Promise<OnbindNotification | undefined> {
    const row = await this.ctx.db
      .deleteFrom("cairn_onbind_queue")
      .where("id", "=", id)
      .returningAll()
      .executeTakeFirst();
    return row && { ...toNotification(row), attempts: row.attempts + 1, lastError };
  }

  async depth(): Promise<number> {
    const row = await this.ctx.db
      .selectFrom("cairn_onbind_queue")
      .select((eb) => eb.fn.countAll<number | string>().as("n"))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
}
