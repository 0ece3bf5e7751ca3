// Third-party invites (invite_tokens), their ephemeral keys (ephemeral_public_keys) and Cairn's link
// between the two (cairn_invite_keys: token, key, expiry). Sydent's own timestamps here are seconds;
// Cairn's expiry is milliseconds. An invite Sydent stored has no link row and is judged by its age.

import { sql, type ExpressionBuilder, type Kysely, type Selectable } from "kysely";
import type { Database } from "./schema/database.js";
import type { SqlContext } from "./sql-store.js";
import type {
  Invite,
  InviteFilter,
  InviteStore,
  InviteValidity,
  ListedInvite,
  NewInvite,
  Threepid,
} from "./store.js";

type Joined = ExpressionBuilder<
  Database & { t: Database["invite_tokens"]; k: Database["cairn_invite_keys"] },
  "t" | "k"
>;

/** Sydent invites received (and Sydent keys stored) after this many ms since the epoch are valid. */
const legacyCutoff = (v: InviteValidity): number => v.now - v.legacyLifetimeMs;

/** On `invite_tokens as t LEFT JOIN cairn_invite_keys as k`: the invite has not expired. */
function validInvite(eb: Joined, v: InviteValidity) {
  return eb.or([
    eb("k.expires_at", ">", v.now),
    eb.and([eb("k.token", "is", null), eb(eb("t.received_ts", "*", 1000), ">", legacyCutoff(v))]),
  ]);
}

function joined(db: Kysely<Database>) {
  return db.selectFrom("invite_tokens as t").leftJoin("cairn_invite_keys as k", "k.token", "t.token");
}

type Row = Selectable<Database["invite_tokens"]>;

const toInvite = (row: Row): Invite => ({
  id: row.id,
  medium: row.medium,
  address: row.address,
  roomId: row.room_id,
  sender: row.sender,
  token: row.token,
  receivedTs: row.received_ts,
  sentTs: row.sent_ts,
});

export class SqlInvites implements InviteStore {
  constructor(private readonly ctx: SqlContext) {}

  async add(invite: NewInvite): Promise<void> {
    await this.ctx.atomic(async (db) => {
      await db
        .insertInto("ephemeral_public_keys")
        .values({ public_key: invite.ephemeralPublicKey, persistence_ts: invite.receivedTs })
        .execute();
      await db
        .insertInto("invite_tokens")
        .values({
          medium: invite.medium,
          address: invite.address,
          room_id: invite.roomId,
          sender: invite.sender,
          token: invite.token,
          received_ts: invite.receivedTs,
        })
        .execute();
      await db
        .insertInto("cairn_invite_keys")
        .values({ token: invite.token, public_key: invite.ephemeralPublicKey, expires_at: invite.expiresAt })
        .execute();
    });
  }

  async pending(threepid: Threepid, validity: InviteValidity): Promise<Invite[]> {
    const rows = await joined(this.ctx.db)
      .selectAll("t")
      .where("t.medium", "=", threepid.medium)
      .where("t.address", "=", threepid.address)
      .where("t.sent_ts", "is", null)
      .where((eb) => validInvite(eb, validity))
      .orderBy("t.id")
      .execute();
    return rows.map(toInvite);
  }

  async markSent(threepid: Threepid, sentTs: number): Promise<void> {
    await this.ctx.db
      .updateTable("invite_tokens")
      .set({ sent_ts: sentTs })
      .where("medium", "=", threepid.medium)
      .where("address", "=", threepid.address)
      .execute();
  }

  async deleteFor(threepid: Threepid): Promise<number> {
    const result = await this.ctx.db
      .deleteFrom("invite_tokens")
      .where("medium", "=", threepid.medium)
      .where("address", "=", threepid.address)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async deleteTokens(tokens: readonly string[]): Promise<number> {
    if (tokens.length === 0) return 0;
    const result = await this.ctx.db
      .deleteFrom("invite_tokens")
      .where((eb) => this.ctx.dialect.inStrings(eb.ref("token"), tokens))
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async senderForToken(token: string, validity: InviteValidity): Promise<string | undefined> {
    const row = await joined(this.ctx.db)
      .select("t.sender")
      .where("t.token", "=", token)
      .where((eb) => validInvite(eb, validity))
      .orderBy("t.id")
      .limit(1)
      .executeTakeFirst();
    return row?.sender;
  }

  async checkEphemeralKey(publicKey: string, validity: InviteValidity): Promise<boolean> {
    const link = (eb: ExpressionBuilder<Database, "ephemeral_public_keys">) =>
      eb.selectFrom("cairn_invite_keys").select(sql.lit(1).as("one")).where("public_key", "=", publicKey);
    const result = await this.ctx.db
      .updateTable("ephemeral_public_keys")
      .set((eb) => ({ verify_count: eb("verify_count", "+", 1) }))
      .where("public_key", "=", publicKey)
      .where((eb) =>
        eb.or([
          eb.exists(link(eb).where("expires_at", ">", validity.now)),
          eb.and([
            eb.not(eb.exists(link(eb))),
            eb(eb("persistence_ts", "*", 1000), ">", legacyCutoff(validity)),
          ]),
        ]),
      )
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async list(filter: InviteFilter): Promise<ListedInvite[]> {
    let query = joined(this.ctx.db)
      .leftJoin("ephemeral_public_keys as e", "e.public_key", "k.public_key")
      .selectAll("t")
      .select(["k.expires_at", "e.public_key", "e.verify_count"]);
    if (filter.address !== undefined) query = query.where("t.address", "=", filter.address);
    if (filter.roomId !== undefined) query = query.where("t.room_id", "=", filter.roomId);
    if (filter.tokenPrefix !== undefined) {
      // Prefixes are compared exactly (LIKE would fold case on SQLite and treat `%`/`_` as wildcards).
      const prefix = filter.tokenPrefix;
      query = query.where(sql<string>`substr(t.token, 1, ${prefix.length})`, "=", prefix);
    }
    const rows = await query.orderBy("t.id").execute();
    return rows.map((row) => ({
      ...toInvite(row),
      expiresAt: row.expires_at,
      publicKey: row.public_key,
      keyChecks: row.verify_count,
    }));
  }

  async revoke(token: string): Promise<number> {
    return this.ctx.atomic(async (db) => {
      await db
        .deleteFrom("ephemeral_public_keys")
        .where("public_key", "in", (eb) =>
          eb.selectFrom("cairn_invite_keys").select("public_key").where("token", "=", token),
        )
        .execute();
      await db.deleteFrom("cairn_invite_keys").where("token", "=", token).execute();
      const result = await db.deleteFrom("invite_tokens").where("token", "=", token).executeTakeFirst();
      return Number(result.numDeletedRows);
    });
  }

  async deleteExpired(validity: InviteValidity): Promise<{ invites: number; keys: number }> {
    const { now } = validity;
    const cutoff = legacyCutoff(validity);
    return this.ctx.atomic(async (db) => {
      const invites = await db
        .deleteFrom("invite_tokens")
        .where((eb) =>
          eb.or([
            eb(
              "token",
              "in",
              eb.selectFrom("cairn_invite_keys").select("token").where("expires_at", "<=", now),
            ),
            eb.and([
              eb.not(
                eb.exists(
                  eb
                    .selectFrom("cairn_invite_keys")
                    .select(sql.lit(1).as("one"))
                    .whereRef("cairn_invite_keys.token", "=", "invite_tokens.token"),
                ),
              ),
              eb.or([eb("received_ts", "is", null), eb(eb("received_ts", "*", 1000), "<=", cutoff)]),
            ]),
          ]),
        )
        .executeTakeFirst();
      const keys = await db
        .deleteFrom("ephemeral_public_keys")
        .where((eb) =>
          eb.or([
            eb(
              "public_key",
              "in",
              eb.selectFrom("cairn_invite_keys").select("public_key").where("expires_at", "<=", now),
            ),
            eb.and([
              eb.not(
                eb.exists(
                  eb
                    .selectFrom("cairn_invite_keys")
                    .select(sql.lit(1).as("one"))
                    .whereRef("cairn_invite_keys.public_key", "=", "ephemeral_public_keys.public_key"),
                ),
              ),
              eb.or([eb("persistence_ts", "is", null), eb(eb("persistence_ts", "*", 1000), "<=", cutoff)]),
            ]),
          ]),
        )
        .executeTakeFirst();
      await db.deleteFrom("cairn_invite_keys").where("expires_at", "<=", now).execute();
      return { invites: Number(invites.numDeletedRows), keys: Number(keys.numDeletedRows) };
    });
  }
}
