// Performance by design: the lookups are ONE query each, whatever the batch size, and that query
// is answered through an index on both engines (checked with the engine's own EXPLAIN).

import assert from "node:assert/strict";
import { test } from "node:test";
import { Kysely, PostgresDialect, SqliteDialect } from "kysely";
import type { CompiledQuery } from "kysely";
import { createTestSchema, skipWithoutPostgres } from "../../test/postgres.js";
import { openPostgresPool, postgresDialect } from "./postgres.js";
import type { Database } from "./schema/database.js";
import type { SqlDialect } from "./sql-dialect.js";
import { createSqlStore } from "./sql-store.js";
import { openSqliteDatabase, sqliteDialect } from "./sqlite.js";
import type { Store } from "./store.js";

const now = 1_700_000_000_000;

function loggingStore(kyselyDialect: SqliteDialect | PostgresDialect, dialect: SqlDialect) {
  const queries: CompiledQuery[] = [];
  const db = new Kysely<Database>({
    dialect: kyselyDialect,
    log: (event) => {
      if (event.level === "query") queries.push(event.query);
    },
  });
  return { store: createSqlStore(db, dialect, () => db.destroy()), queries };
}

async function fill(store: Store): Promise<void> {
  await store.transaction(async (tx) => {
    for (let i = 0; i < 2000; i++) {
      await tx.associations.insertGlobal({
        medium: "email",
        address: `User${i}@Example.org`,
        mxid: `@u${i}:x`,
        ts: now,
        notBefore: now - 1,
        notAfter: now + 1,
        originServer: "x",
        originId: i,
        sgAssoc: "{}",
        lookupHash: `hash-${i}`,
      });
    }
  });
}

/** Runs each lookup and returns the one query it issued. */
async function lookupQueries(store: Store, queries: CompiledQuery[]) {
  const one = async (run: () => Promise<unknown>): Promise<CompiledQuery> => {
    queries.length = 0;
    await run();
    assert.equal(queries.length, 1, queries.map((q) => q.sql).join("\n"));
    return queries[0] as CompiledQuery;
  };
  const hashes = Array.from({ length: 1000 }, (_, i) => `hash-${i * 7}`);
  const pairs = Array.from({ length: 1000 }, (_, i) => ({
    medium: "email",
    address: `user${i * 3}@example.org`,
  }));
  return {
    hashes: await one(() => store.associations.lookupHashes(hashes, now)),
    bulk: await one(() => store.associations.bulkLookup(pairs, now)),
    single: await one(() =>
      store.associations.lookup({ medium: "email", address: "USER5@example.org" }, now),
    ),
    session: await one(() => store.sessions.find("email", "a@x", "secret")),
    // Every authenticated request: a token in its hashed and its clear form.
    token: await one(() => store.accounts.accountForToken("cairn-sha256:x", "clear")),
  };
}

test("SQLite: lookups are single queries that SEARCH by index", async () => {
  const database = openSqliteDatabase(":memory:");
  const { store, queries } = loggingStore(new SqliteDialect({ database }), sqliteDialect);
  try {
    await fill(store);
    const q = await lookupQueries(store, queries);
    const plan = (query: CompiledQuery) =>
      (database.prepare(`EXPLAIN QUERY PLAN ${query.sql}`).all(...query.parameters) as { detail: string }[])
        .map((row) => row.detail)
        .join("\n");
    assert.match(
      plan(q.hashes),
      /SEARCH global_threepid_associations USING INDEX global_threepid_lookup_hash/,
    );
    assert.match(plan(q.bulk), /SEARCH g USING INDEX global_threepid_medium_lower_address/);
    assert.match(
      plan(q.single),
      /SEARCH global_threepid_associations USING INDEX global_threepid_medium_lower_address/,
    );
    assert.match(plan(q.session), /SEARCH s USING INDEX cairn_threepid_validation_sessions_threepid/);
    assert.match(plan(q.session), /SEARCH t USING INDEX cairn_threepid_token_auths_session/);
    assert.match(plan(q.token), /SEARCH t USING INDEX sqlite_autoindex_tokens_1 \(token=\?\)/);
    assert.match(plan(q.token), /SEARCH a USING INDEX sqlite_autoindex_accounts_1 \(user_id=\?\)/);
  } finally {
    await store.close();
  }
});

test(
  "PostgreSQL: lookups are single queries that can use the indexes",
  { skip: skipWithoutPostgres },
  async () => {
    const schema = await createTestSchema();
    // With sequential scans priced out, the plan shows whether the index matches the query at all.
    const url = new URL(schema.url);
    url.searchParams.set("options", `${url.searchParams.get("options")} -c enable_seqscan=off`);
    const pool = await openPostgresPool({ url: url.toString(), poolSize: 2 });
    const { store, queries } = loggingStore(new PostgresDialect({ pool }), postgresDialect);
    try {
      await fill(store);
      const q = await lookupQueries(store, queries);
      const plan = async (query: CompiledQuery) =>
        (await pool.query<{ "QUERY PLAN": string }>(`EXPLAIN ${query.sql}`, [...query.parameters])).rows
          .map((row) => row["QUERY PLAN"])
          .join("\n");
      // Plain or bitmap index scans both qualify; parameters are cut short in failure messages.
      const uses = async (query: CompiledQuery, index: string) => {
        const text = await plan(query);
        const short = text.replace(/'\{[^}]*\}'/g, "'{...}'");
        assert.ok(new RegExp(`Index Scan (using|on) ${index} `).test(text), `${index} not used:\n${short}`);
      };
      await uses(q.hashes, "global_threepid_lookup_hash");
      await uses(q.bulk, "global_threepid_medium_lower_address");
      await uses(q.single, "global_threepid_medium_lower_address");
      await uses(q.session, "cairn_threepid_validation_sessions_threepid");
      await uses(q.token, "tokens_pkey");
    } finally {
      await store.close();
      await schema.cleanup();
    }
  },
);
