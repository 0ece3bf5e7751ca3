// `import-sydent` from the fixture databases into fresh PostgreSQL schemas: everything copied with
// its ids, the same answers to Sydent's recorded lookups on both engines, resumable, and the file
// never written.

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import { test } from "node:test";
import BetterSqlite3 from "better-sqlite3";
import pg from "pg";
import {
  checkCurrentBulkLookups,
  checkCurrentHashedLookups,
  checkCurrentV1Lookups,
  checkUpgradedLookups,
  fixturePepper,
  lookupNow,
} from "../../test/fixture-lookups.js";
import { readFixtureJson } from "../../test/fixtures.js";
import { createTestSchema, skipWithoutPostgres, type TestSchema } from "../../test/postgres.js";
import { tempDatabase, type TempFile } from "../../test/sqlite-files.js";
import {
  copiedTables,
  ImportError,
  importSydent,
  tablesNotCopied,
  type ImportOptions,
} from "./import-sydent.js";
import { cairnTables } from "./import-target.js";
import { openPostgresStore } from "./postgres.js";
import { openSqliteStore } from "./sqlite.js";
import type { Store } from "./store.js";
import { lookupHash } from "./testing/lookup-hash.js";

interface Dump {
  tables: Record<string, { rows: unknown[][] }>;
}

const options = (from: string, to: string): ImportOptions => ({
  from,
  to,
  newPepper: () => fixturePepper,
  hash: lookupHash,
  now: lookupNow,
});

const sha256 = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");

/** A read-only copy of the fixture's sydent.db and an empty PostgreSQL schema. */
async function withImport(
  folder: string,
  fn: (file: TempFile, schema: TestSchema) => Promise<void>,
): Promise<void> {
  const file = tempDatabase(folder, "sydent.db");
  chmodSync(file.path, 0o444);
  const schema = await createTestSchema();
  try {
    const before = sha256(file.path);
    await fn(file, schema);
    assert.equal(sha256(file.path), before, "the SQLite file is never written");
  } finally {
    await schema.cleanup();
    file.remove();
  }
}

async function withPostgresStore(url: string, fn: (store: Store) => Promise<void>): Promise<void> {
  const store = await openPostgresStore({ url, poolSize: 2 });
  try {
    await fn(store);
  } finally {
    await store.close();
  }
}

async function query(url: string, text: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(text);
  } finally {
    await client.end();
  }
}

/** Row counts of the fixture's dump (the tables Sydent has; sqlite_sequence is SQLite's own). */
function dumpCounts(folder: string): Record<string, number> {
  const dump = readFixtureJson(folder, "dump.json") as Dump;
  return Object.fromEntries(
    Object.entries(dump.tables)
      .filter(([table]) => table !== "sqlite_sequence")
      .map(([table, { rows }]) => [table, rows.length]),
  );
}

test(
  "current/sydent.db imports with every row, the pepper, and Sydent's lookups answered alike",
  { skip: skipWithoutPostgres },
  async () => {
    await withImport("current", async (file, schema) => {
      const report = await importSydent(options(file.path, schema.url));
      assert.equal(report.ok, true);
      assert.equal(report.fileVersion, 5);
      assert.equal(report.upgradedInMemory, false);
      assert.equal(report.resumed, false);
      const counts = Object.fromEntries(report.counts.map((c) => [c.table, c.postgres]));
      assert.deepEqual(counts, dumpCounts("current"));
      for (const c of report.counts) assert.equal(c.sqlite, c.postgres, c.table);
      assert.deepEqual(report.pepper, { sqlite: "hCVRm", postgres: "hCVRm" });
      assert.equal(report.lookups.sampled, 9);
      assert.deepEqual(report.lookups.differences, []);

      await withPostgresStore(schema.url, async (store) => {
        await checkCurrentV1Lookups(store);
        await checkCurrentBulkLookups(store);
        await checkCurrentHashedLookups(store);
        // Ids are kept and the sequences continue after SQLite's AUTOINCREMENT counters.
        const seq = (readFixtureJson("current", "dump.json") as Dump).tables.sqlite_sequence?.rows ?? [];
        const localSeq = Number(seq.find(([name]) => name === "local_threepid_associations")?.[1]);
        const next = await store.associations.upsertLocal({
          medium: "email",
          address: "new@example.com",
          mxid: "@new:example.org",
          ts: lookupNow,
          notBefore: lookupNow,
          notAfter: lookupNow + 1,
          lookupHash: "h",
        });
        assert.equal(next.id, localSeq + 1);
      });
      const { rows } = await query(
        schema.url,
        'SELECT id, "originId" FROM global_threepid_associations ORDER BY id',
      );
      const dump = readFixtureJson("current", "dump.json") as Dump;
      assert.deepEqual(
        rows.map((r: { id: string; originId: string }) => [Number(r.id), Number(r.originId)]),
        dump.tables.global_threepid_associations?.rows.map((r) => [r[0], r[8]]),
      );
    });
  },
);

test(
  "an import stopped halfway continues on the next run, without duplicates",
  { skip: skipWithoutPostgres },
  async () => {
    await withImport("current", async (file, schema) => {
      let batches = 0;
      const stop = new Error("stopped");
      await assert.rejects(
        importSydent({
          ...options(file.path, schema.url),
          batchSize: 2,
          onBatch: () => {
            if (++batches === 12) throw stop;
          },
        }),
        (err) => err === stop,
      );
      const partial = await query(schema.url, "SELECT count(*)::int AS n FROM threepid_token_auths");
      assert.ok((partial.rows[0] as { n: number }).n < 10, "the copy stopped partway");

      const report = await importSydent({ ...options(file.path, schema.url), batchSize: 2 });
      assert.equal(report.resumed, true);
      assert.equal(report.ok, true);
      assert.deepEqual(
        Object.fromEntries(report.counts.map((c) => [c.table, c.postgres])),
        dumpCounts("current"),
      );
      const distinct = await query(
        schema.url,
        "SELECT count(DISTINCT id)::int AS ids, count(*)::int AS n FROM threepid_token_auths",
      );
      assert.deepEqual(distinct.rows[0], { ids: 10, n: 10 });

      // A finished import run again copies nothing and verifies again.
      const again = await importSydent(options(file.path, schema.url));
      assert.equal(again.ok, true);
      assert.deepEqual(
        Object.fromEntries(again.counts.map((c) => [c.table, c.postgres])),
        dumpCounts("current"),
      );
    });
  },
);

test(
  "a database Cairn has run on (WAL, Cairn's own tables) imports with Cairn's rows",
  { skip: skipWithoutPostgres },
  async () => {
    const file = tempDatabase("current", "sydent.db");
    const schema = await createTestSchema();
    try {
      const cairn = await openSqliteStore(file.path);
      await cairn.sessions.addNextLink(1851871691, "https://app.example.org/welcome");
      await cairn.invites.add({
        medium: "email",
        address: "new@example.com",
        roomId: "!room:example.org",
        sender: "@alice:example.org",
        token: "cairnInviteToken",
        ephemeralPublicKey: "cairnEphemeralKey",
        receivedTs: 1_796_414_500,
        expiresAt: 1_796_414_500_000 + 86_400_000,
      });
      const queued = await cairn.onbind.enqueue({ destination: "example.org", body: "{}", now: lookupNow });
      await cairn.close();
      const report = await importSydent(options(file.path, schema.url));
      assert.equal(report.ok, true);
      const counts = Object.fromEntries(report.counts.map((c) => [c.table, c.postgres]));
      assert.equal(counts.cairn_session_next_links, 1);
      assert.equal(counts.cairn_invite_keys, 1);
      assert.equal(counts.invite_tokens, 3);
      assert.equal(counts.cairn_onbind_queue, 1);
      await withPostgresStore(schema.url, async (store) => {
        assert.equal(await store.sessions.hasNextLink(1851871691, "https://app.example.org/welcome"), true);
        const [invite] = await store.invites.list({ address: "new@example.com" });
        assert.equal(invite?.token, "cairnInviteToken");
        const [due] = await store.onbind.claimDue(lookupNow, 10, lookupNow + 1);
        assert.deepEqual(due && [due.id, due.destination], [queued.id, "example.org"]);
        // The next notification gets a new id (the sequence was moved past the copied ones).
        const next = await store.onbind.enqueue({ destination: "example.org", body: "{}", now: lookupNow });
        assert.equal(next.id, queued.id + 1);
      });
    } finally {
      await schema.cleanup();
      file.remove();
    }
  },
);

test(
  "a re-run after the file changed (a binding re-made) stops with a clear message",
  { skip: skipWithoutPostgres },
  async () => {
    const file = tempDatabase("current", "sydent.db");
    const schema = await createTestSchema();
    try {
      assert.equal((await importSydent(options(file.path, schema.url))).ok, true);
      const db = new BetterSqlite3(file.path);
      // What a bind does: the 3PID's row is replaced by one with a new id.
      db.exec(`INSERT OR REPLACE INTO local_threepid_associations
        (medium, address, mxid, ts, notBefore, notAfter, lookup_hash)
        SELECT medium, address, '@new:example.org', ts, notBefore, notAfter, lookup_hash
        FROM local_threepid_associations WHERE mxid IS NOT NULL ORDER BY id LIMIT 1`);
      db.close();
      await assert.rejects(
        importSydent(options(file.path, schema.url)),
        /copying local_threepid_associations .*\(did Sydent or Cairn run on the file since the import began/,
      );
    } finally {
      await schema.cleanup();
      file.remove();
    }
  },
);

test("every table of the PostgreSQL schema is either copied or deliberately left out", () => {
  assert.deepEqual([...cairnTables].sort(), [...copiedTables, ...tablesNotCopied].sort());
});

test(
  "a difference found by the verification is reported, not hidden",
  { skip: skipWithoutPostgres },
  async () => {
    await withImport("current", async (file, schema) => {
      assert.equal((await importSydent(options(file.path, schema.url))).ok, true);
      await query(
        schema.url,
        "DELETE FROM global_threepid_associations WHERE id = (SELECT max(id) FROM global_threepid_associations)",
      );
      const report = await importSydent(options(file.path, schema.url));
      assert.equal(report.ok, false);
      const global = report.counts.find((c) => c.table === "global_threepid_associations");
      assert.deepEqual(global && [global.sqlite, global.postgres], [9, 8]);
      assert.ok(report.lookups.differences.length > 0);
    });
  },
);

test(
  "a database holding other tables, or Cairn's data, is refused",
  { skip: skipWithoutPostgres },
  async () => {
    await withImport("current", async (file, schema) => {
      await query(schema.url, "CREATE TABLE users (name text)");
      await assert.rejects(importSydent(options(file.path, schema.url)), (err) => {
        assert.ok(err instanceof ImportError);
        assert.match(err.message, /already holds tables that are not Cairn's \(users\)/);
        return true;
      });
      await query(schema.url, "DROP TABLE users");
      await withPostgresStore(schema.url, (store) => store.accounts.addAccount("@someone:example.org", 1));
      await assert.rejects(
        importSydent(options(file.path, schema.url)),
        /already holds Cairn data \(1 rows in accounts\)/,
      );
    });
  },
);

test("a file that is not a Sydent database is refused", { skip: skipWithoutPostgres }, async () => {
  const file = tempDatabase();
  const schema = await createTestSchema();
  try {
    writeFileSync(file.path, "not a database, just text that is long enough to have a header........");
    await assert.rejects(
      importSydent(options(file.path, schema.url)),
      /cannot read .*: file is not a database/,
    );
    await assert.rejects(importSydent(options(`${file.path}.missing`, schema.url)), /cannot open/);
  } finally {
    await schema.cleanup();
    file.remove();
  }
});

for (const version of ["v0", "v1", "v2", "v3", "v4", "v5"]) {
  test(
    `${version}/sydent.db is upgraded in memory, imported, and answers as the upgraded Sydent did`,
    { skip: skipWithoutPostgres },
    async () => {
      await withImport(version, async (file, schema) => {
        const report = await importSydent(options(file.path, schema.url));
        assert.equal(report.ok, true);
        assert.equal(report.upgradedInMemory, version !== "v5");
        assert.equal(report.pepperCreated, ["v0", "v1", "v2"].includes(version));
        assert.deepEqual(
          report.counts.map((c) => c.sqlite),
          report.counts.map((c) => c.postgres),
        );
        await withPostgresStore(schema.url, (store) => checkUpgradedLookups(store, version));
      });
    },
  );
}
