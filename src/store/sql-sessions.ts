// Validation sessions (threepid_validation_sessions) and their tokens (threepid_token_auths).

import type { Kysely } from "kysely";
import type { Database } from "./schema/database.js";
import type { SqlContext } from "./sql-store.js";
import type { NewSession, SessionStore, TokenSession, ValidationSession } from "./store.js";

interface SessionRow {
  id: number;
  medium: string;
  address: string;
  clientSecret: string;
  validated: number | null;
  mtime: number;
}

function toSession(row: SessionRow): ValidationSession {
  return {
    sid: row.id,
    medium: row.medium,
    address: row.address,
    clientSecret: row.clientSecret,
    validated: Boolean(row.validated),
    mtime: row.mtime,
  };
}

function toTokenSession(row: SessionRow & { token: string; sendAttemptNumber: number }): TokenSession {
  return { ...toSession(row), token: row.token, sendAttemptNumber: row.sendAttemptNumber };
}

function withToken(db: Kysely<Database>) {
  return db
    .selectFrom("threepid_validation_sessions as s")
    .innerJoin("threepid_token_auths as t", "t.validationSession", "s.id")
    .select([
      "s.id",
      "s.medium",
      "s.address",
      "s.clientSecret",
      "s.validated",
      "s.mtime",
      "t.token",
      "t.sendAttemptNumber",
    ]);
}

export class SqlSessions implements SessionStore {
  constructor(private readonly ctx: SqlContext) {}

  async find(medium: string, address: string, clientSecret: string): Promise<TokenSession | undefined> {
    const row = await withToken(this.ctx.db)
      .where("s.medium", "=", medium)
      .where("s.address", "=", address)
      .where("s.clientSecret", "=", clientSecret)
      .orderBy("t.id")
      .limit(1)
      .executeTakeFirst();
    return row && toTokenSession(row);
  }

  async create(session: NewSession): Promise<TokenSession> {
    const { sid, medium, address, clientSecret, token, now } = session;
    await this.ctx.atomic(async (db) => {
      await db
        .insertInto("threepid_validation_sessions")
        .values({ id: sid, medium, address, clientSecret, mtime: now })
        .execute();
      await db
        .insertInto("threepid_token_auths")
        .values({ validationSession: sid, token, sendAttemptNumber: -1 })
        .execute();
    });
    return { sid, medium, address, clientSecret, validated: false, mtime: now, token, sendAttemptNumber: -1 };
  }

  async touch(sid: number, mtime: number): Promise<void> {
    await this.ctx.db
      .updateTable("threepid_validation_sessions")
      .set({ mtime })
      .where("id", "=", sid)
      .execute();
  }

  async get(sid: number): Promise<ValidationSession | undefined> {
    const row = await this.ctx.db
      .selectFrom("threepid_validation_sessions")
      .select(["id", "medium", "address", "clientSecret", "validated", "mtime"])
      .where("id", "=", sid)
      .executeTakeFirst();
    return row && toSession(row);
  }

  async getWithToken(sid: number): Promise<TokenSession | undefined> {
    const row = await withToken(this.ctx.db)
      .where("s.id", "=", sid)
      .orderBy("t.id")
      .limit(1)
      .executeTakeFirst();
    return row && toTokenSession(row);
  }

  async markValidated(sid: number): Promise<void> {
    await this.ctx.db
      .updateTable("threepid_validation_sessions")
      .set({ validated: 1 })
      .where("id", "=", sid)
      .execute();
  }

  async setSendAttemptNumber(sid: number, sendAttempt: number): Promise<void> {
    // NOTSPEC: Sydent updates the token row whose *row id* equals the sid (never the right one).
    await this.ctx.db
      .updateTable("threepid_token_auths")
      .set({ sendAttemptNumber: sendAttempt })
      .where("validationSession", "=", sid)
      .execute();
  }

  async addNextLink(sid: number, nextLink: string): Promise<void> {
    if (await this.hasNextLink(sid, nextLink)) return;
    await this.ctx.db.insertInto("cairn_session_next_links").values({ sid, next_link: nextLink }).execute();
  }

  async hasNextLink(sid: number, nextLink: string): Promise<boolean> {
    const row = await this.ctx.db
      .selectFrom("cairn_session_next_links")
      .select("sid")
      .where("sid", "=", sid)
      .where("next_link", "=", nextLink)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  async deleteOlderThan(cutoff: number): Promise<number> {
    return this.ctx.atomic(async (db) => {
      const deleted = await db
        .deleteFrom("threepid_validation_sessions")
        .where("mtime", "<", cutoff)
        .executeTakeFirst();
      await db
        .deleteFrom("threepid_token_auths")
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom("threepid_validation_sessions as s")
                .select("s.id")
                .whereRef("s.id", "=", "threepid_token_auths.validationSession"),
            ),
          ),
        )
        .execute();
      await db
        .deleteFrom("cairn_session_next_links")
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom("threepid_validation_sessions as s")
                .select("s.id")
                .whereRef("s.id", "=", "cairn_session_next_links.sid"),
            ),
          ),
        )
        .execute();
      return Number(deleted.numDeletedRows);
    });
  }
}
