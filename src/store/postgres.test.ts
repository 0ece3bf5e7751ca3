import { postgresSteps } from "./schema/postgres-schema.js";
import assert from "node:assert/strict";
import { test } from "node:test";
import pg from "pg";
import { createTestSchema, skipWithoutPostgres } from "../../test/postgres.js";
import { openPostgresStore } from "./postgres.js";
import { runStoreSuite } from "./store-suite.js";

runStoreSuite(
  "PostgreSQL store",
  async () => {
    const schema = await createTestSchema();
    const store = await openPostgresStore({ url: schema.url, poolSize: 4 });
    return {
      store,
      cleanup: async () => {
        await store.close();
        await schema.cleanup();
      },
    };
  },
  skipWithoutPostgres,
);

async function withPool(url: string, fn: (pool: pg.Pool) => Promise<void>): Promise<void> {
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  try {
    await fn(pool);
  } finally {
    await pool.end();
  }
}

test(
  "several instances starting at once on one database migrate it exactly once",
  { skip: skipWithoutPostgres },
  async () => {
    const schema = await createTestSchema();
    try {
      const stores = await Promise.all(
        Array.from({ length: 4 }, () => openPostgresStore({ url: schema.url, poolSize: 2 })),
      );
      // Every instance works on the same tables.
      await stores[0]?.accounts.addAccount("@a:x", 1);
      await stores[3]?.accounts.addToken("@a:x", "tok");
      assert.equal((await stores[1]?.accounts.accountForToken("tok"))?.userId, "@a:x");
      await Promise.all(stores.map((store) => store.close()));
      // A later start finds the schema current.
      const again = await openPostgresStore({ url: schema.url, poolSize: 1 });
      await again.close();
      await withPool(schema.url, async (pool) => {
        assert.deepEqual((await pool.query("SELECT version FROM cairn_schema")).rows, [
          { version: postgresSteps.length },
        ]);
      });
    } finally {
      await schema.cleanup();
    }
  },
);

test(
  "the tables keep Sydent's names and columns, camelCase included",
  { skip: skipWithoutPostgres },
  async () => {
    const schema = await createTestSchema();
    try {
      await (await openPostgresStore({ url: schema.url, poolSize: 1 })).close();
      await withPool(schema.url, async (pool) => {
        const columns = await pool.query<{ table_name: string; column_name: string; data_type: string }>(
          `SELECT table_name, column_name, data_type FROM information_schema.columns
         WHERE table_schema = $1 AND table_name = 'global_threepid_associations' ORDER BY ordinal_position`,
          [schema.schema],
        );
        assert.deepEqual(
          columns.rows.map((c) => `${c.column_name} ${c.data_type}`),
          [
            "id bigint",
            "medium text",
            "address text",
            "mxid text",
            "ts bigint",
            "notBefore bigint",
            "notAfter bigint",
            "originServer text",
            "originId bigint",
            "sgAssoc text",
            "lookup_hash text",
          ],
        );
        const indexes = await pool.query<{ indexname: string; indexdef: string }>(
          "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = $1 ORDER BY indexname",
          [schema.schema],
        );
        const names = indexes.rows.map((i) => i.indexname);
        for (const name of [
          "global_threepid_medium_address",
          "global_threepid_medium_lower_address",
          "global_threepid_originServer_originId",
          "global_threepid_lookup_hash",
          "local_threepid_medium_address",
          "threepid_validation_sessions_mtime",
          "invite_token_medium_address",
          "invite_token_token",
          "ephemeral_public_keys_index",
          "name",
          "peername_alg",
          "accepted_terms_urls_idx",
        ]) {
          assert.ok(names.includes(name), name);
        }
        const lower = indexes.rows.find((i) => i.indexname === "global_threepid_medium_lower_address");
        assert.match(
          lower?.indexdef ?? "",
          /lower\(\(address\)::text COLLATE "C"\)|lower\(\(address COLLATE "C"\)\)/,
        );
      });
    } finally {
      await schema.cleanup();
    }
  },
);

test("closing an unused store closes its connections", { skip: skipWithoutPostgres }, async () => {
  const schema = await createTestSchema();
  try {
    const url = new URL(schema.url);
    url.searchParams.set("application_name", schema.schema);
    const store = await openPostgresStore({ url: url.toString(), poolSize: 2 });
    await withPool(schema.url, async (pool) => {
      const count = async () =>
        Number(
          (
            await pool.query("SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = $1", [
              schema.schema,
            ])
          ).rows[0].n,
        );
      assert.equal(await count(), 1);
      await store.close();
      for (let i = 0; i < 50 && (await count()) > 0; i++) await new Promise((r) => setTimeout(r, 20));
      assert.equal(await count(), 0);
    });
  } finally {
    await schema.cleanup();
  }
});
