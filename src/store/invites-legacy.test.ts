// Invitations Sydent stored (no cairn_invite_keys row) are judged by their age: on SQLite in the
// fixture database Sydent itself wrote, on PostgreSQL in the same rows as an import brings them.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import pg from "pg";
import { engines, FIXTURE_NOW } from "../../test/deps.js";
import { createTestSchema } from "../../test/postgres.js";
import { tempDatabase } from "../../test/sqlite-files.js";
import { openPostgresStore } from "./postgres.js";
import { openSqliteStore } from "./sqlite.js";
import type { InviteValidity, Store } from "./store.js";

const RECEIVED_S = 1796414285;
const GRACE = {
  medium: "email",
  address: "grace.hopper@example.com",
  token:
    "FofXnoBMDXpHonLDQRolgFiWEVoOfgXTJwHPyCJbseRHMBlIXKTAjoQlFyHudARMUErEcxSAwxABiUGuUZcfXPXnFqODSarDaAGMmwNvbrOHyODrhrYYerxJNafxqClu",
  key: "4SoK9L2qn1ANqlDXqc0-FaYATzIu1gqKoy-K0EqS4Jo",
};
const OTHER_KEYS = [
  "_E550WRHAHDJL-MFlu4jCdT6pd9m-rj3VB7LHldnKAg",
  "cfuScl8ws8v-aOiA4u6BAlonHse1TinE9-Ll5RH-3Z4",
];
const DAY = 24 * 60 * 60 * 1000;
const LIFETIME = 30 * DAY;
const at = (now: number): InviteValidity => ({ now, legacyLifetimeMs: LIFETIME });
const EXPIRY = RECEIVED_S * 1000 + LIFETIME;

/** A store holding Sydent's invitations of the fixtures (grace pending, ivan delivered) and three keys. */
async function sydentInvites(engine: string): Promise<{ store: Store; cleanup(): Promise<void> }> {
  if (engine === "sqlite") {
    const file = tempDatabase("current", "sydent.db");
    const store = await openSqliteStore(file.path);
    return { store, cleanup: async () => (await store.close(), file.remove()) };
  }
  const schema = await createTestSchema();
  const store = await openPostgresStore({ url: schema.url, poolSize: 2 });
  const client = new pg.Client({ connectionString: schema.url });
  await client.connect();
  await client.query(
    `INSERT INTO invite_tokens (medium, address, room_id, sender, token, received_ts, sent_ts)
     VALUES ($1, $2, '!lovelace:example.org', '@alice:example.org', $3, $4, NULL),
            ('email', 'ivan@example.com', '!lovelace:example.org', '@alice:example.org', 'ivan', $4, $4 + 27)`,
    [GRACE.medium, GRACE.address, GRACE.token, RECEIVED_S],
  );
  await client.query(
    "INSERT INTO ephemeral_public_keys (public_key, verify_count, persistence_ts) VALUES ($1, 1, $4), ($2, 0, $4), ($3, 0, $4)",
    [GRACE.key, ...OTHER_KEYS, RECEIVED_S],
  );
  await client.end();
  return { store, cleanup: async () => (await store.close(), await schema.cleanup()) };
}

for (const engine of engines()) {
  describe(`Sydent's invitations on ${engine}`, () => {
    test("count as valid until expiry_days after they were received", async () => {
      const { store, cleanup } = await sydentInvites(engine);
      try {
        const threepid = { medium: GRACE.medium, address: GRACE.address };
        assert.equal((await store.invites.pending(threepid, at(FIXTURE_NOW)))[0]?.token, GRACE.token);
        assert.equal(await store.invites.senderForToken(GRACE.token, at(EXPIRY - 1)), "@alice:example.org");
        assert.equal(await store.invites.checkEphemeralKey(GRACE.key, at(EXPIRY - 1)), true);
        assert.deepEqual(await store.invites.pending(threepid, at(EXPIRY)), []);
        assert.equal(await store.invites.senderForToken(GRACE.token, at(EXPIRY)), undefined);
        assert.equal(await store.invites.checkEphemeralKey(GRACE.key, at(EXPIRY)), false);
        const listed = await store.invites.list({ address: GRACE.address });
        assert.deepEqual(
          listed.map((i) => [i.token, i.receivedTs, i.expiresAt, i.publicKey]),
          [[GRACE.token, RECEIVED_S, null, null]],
        );
      } finally {
        await cleanup();
      }
    });

    test("are deleted with every key of their age once expired; revoking leaves the unlinked key", async () => {
      const { store, cleanup } = await sydentInvites(engine);
      try {
        assert.equal(await store.invites.revoke(GRACE.token), 1);
        assert.equal(await store.invites.checkEphemeralKey(GRACE.key, at(FIXTURE_NOW)), true);
        assert.deepEqual(await store.invites.deleteExpired(at(EXPIRY - 1)), { invites: 0, keys: 0 });
        assert.deepEqual(await store.invites.deleteExpired(at(EXPIRY)), { invites: 1, keys: 3 });
        assert.deepEqual(await store.invites.list({}), []);
      } finally {
        await cleanup();
      }
    });
  });
}
