// Third-party invites (invite_tokens) and their ephemeral keys (ephemeral_public_keys).
// Timestamps here are seconds, as Sydent stores them.

import type { SqlContext } from "./sql-store.js";
import type { Invite, InviteStore, NewInvite, Threepid } from "./store.js";

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
    });
  }

  async pending(threepid: Threepid): Promise<Invite[]> {
    const rows = await this.ctx.db
      .selectFrom("invite_tokens")
      .selectAll()
      .where("medium", "=", threepid.medium)
      .where("address", "=", threepid.address)
      .where("sent_ts", "is", null)
      .orderBy("id")
      .execute();
    return rows.map((row) => ({
      id: row.id,
      medium: row.medium,
      address: row.address,
      roomId: row.room_id,
      sender: row.sender,
      token: row.token,
      receivedTs: row.received_ts,
      sentTs: row.sent_ts,
    }));
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

  async senderForToken(token: string): Promise<string | undefined> {
    const row = await this.ctx.db
      .selectFrom("invite_tokens")
      .select("sender")
      .where("token", "=", token)
      .orderBy("id")
      .limit(1)
      .executeTakeFirst();
    return row?.sender;
  }

  async checkEphemeralKey(publicKey: string): Promise<boolean> {
    const result = await this.ctx.db
      .updateTable("ephemeral_public_keys")
      .set((eb) => ({ verify_count: eb("verify_count", "+", 1) }))
      .where("public_key", "=", publicKey)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }
}
