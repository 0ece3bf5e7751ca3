// v2 accounts (accounts), their access tokens (tokens) and accepted terms (accepted_terms_urls).

import type { SqlContext } from "./sql-store.js";
import type { Account, AccountStore } from "./store.js";

export class SqlAccounts implements AccountStore {
  constructor(private readonly ctx: SqlContext) {}

  async addAccount(userId: string, createdTs: number): Promise<void> {
    await this.ctx.db
      .insertInto("accounts")
      .values({ user_id: userId, created_ts: createdTs })
      .onConflict((oc) => oc.doNothing())
      .execute();
  }

  async addToken(userId: string, token: string): Promise<void> {
    await this.ctx.db.insertInto("tokens").values({ token, user_id: userId }).execute();
  }

  async accountForToken(...storedForms: string[]): Promise<Account | undefined> {
    if (storedForms.length === 0) return undefined;
    const row = await this.ctx.db
      .selectFrom("accounts as a")
      .innerJoin("tokens as t", "t.user_id", "a.user_id")
      .select(["a.user_id", "a.created_ts", "a.consent_version"])
      .where("t.token", "in", storedForms)
      .executeTakeFirst();
    return row && { userId: row.user_id, createdTs: row.created_ts, consentVersion: row.consent_version };
  }

  async deleteToken(...storedForms: string[]): Promise<boolean> {
    if (storedForms.length === 0) return false;
    const result = await this.ctx.db
      .deleteFrom("tokens")
      .where("token", "in", storedForms)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async acceptedTermsUrls(userId: string): Promise<string[]> {
    const rows = await this.ctx.db
      .selectFrom("accepted_terms_urls")
      .select("url")
      .where("user_id", "=", userId)
      .execute();
    return rows.map((row) => row.url);
  }

  async addAcceptedTermsUrls(userId: string, urls: readonly string[]): Promise<void> {
    if (urls.length === 0) return;
    await this.ctx.db
      .insertInto("accepted_terms_urls")
      .values([...new Set(urls)].map((url) => ({ user_id: userId, url })))
      .onConflict((oc) => oc.doNothing())
      .execute();
  }

  async setConsentVersion(userId: string, version: string): Promise<void> {
    await this.ctx.db
      .updateTable("accounts")
      .set({ consent_version: version })
      .where("user_id", "=", userId)
      .execute();
  }
}
