// The benchmark's data: N bindings in the global association table (what lookups read), hashed with
// a fixed pepper, plus one account whose token the load generator sends. The schema is Cairn's own
// (the store creates it); rows go in by bulk inserts in one transaction with the table's indexes
// dropped and rebuilt after, so a million rows take seconds. SQLite files are cached by row count;
// PostgreSQL gets a schema of its own, dropped after the run.
import { randomBytes } from "node:crypto";
import { existsSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import pg from "pg";
import { lookupHash } from "../src/crypto/lookup-hash.js";
import { ASSOCIATION_LIFETIME_MS } from "../src/domain/signed-association.js";
import { openPostgresStore } from "../src/store/postgres.js";
import { openSqliteStore } from "../src/store/sqlite.js";
import type { Store, Threepid } from "../src/store/store.js";

export const BENCH_SERVER_NAME = "bench.cairn.test";
export const BENCH_PEPPER = "bEnCh";
export const BENCH_TOKEN = "bench-access-token-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJ";
const BENCH_USER = "@bench:bench.cairn.test";
/** Bump when the rows change, so that cached files are rebuilt. */
const DATASET_VERSION = 1;
const BASE_TS = 1_700_000_000_000;
const BATCH = 20_000;
const TABLE = "global_threepid_associations";
/** Stands in for a signature: lookups never read sgAssoc on the hashed path, only its size matters. */
const FAKE_SIGNATURE = "A".repeat(86);

/** The i-th stored 3PID: one in ten a phone number, the rest email addresses. */
export function storedThreepid(i: number): Threepid {
  return i % 10 === 0
    ? { medium: "msisdn", address: String(447_000_000_000 + i) }
    : { medium: "email", address: `user${i}@example${i % 1000}.org` };
}

/** The j-th 3PID that is never stored. */
export function missingThreepid(j: number): Threepid {
  return { medium: "email", address: `nobody${j}@missing.example` };
}

export function hashOf(threepid: Threepid): string {
  return lookupHash(threepid.address, threepid.medium, BENCH_PEPPER);
}

interface Columns {
  medium: string[];
  address: string[];
  mxid: string[];
  ts: number[];
  notBefore: number[];
  notAfter: number[];
  originId: number[];
  sgAssoc: string[];
  hash: string[];
}

function* batches(rows: number): Generator<Columns> {
  for (let start = 0; start < rows; start += BATCH) {
    const c: Columns = {
      medium: [],
      address: [],
      mxid: [],
      ts: [],
      notBefore: [],
      notAfter: [],
      originId: [],
      sgAssoc: [],
      hash: [],
    };
    for (let i = start; i < Math.min(rows, start + BATCH); i++) {
      const { medium, address } = storedThreepid(i);
      const mxid = `@user${i}:example${i % 1000}.org`;
      const ts = BASE_TS + i;
      const notAfter = ts + ASSOCIATION_LIFETIME_MS;
      c.medium.push(medium);
      c.address.push(address);
      c.mxid.push(mxid);
      c.ts.push(ts);
      c.notBefore.push(ts);
      c.notAfter.push(notAfter);
      c.originId.push(i + 1);
      // The shape and size of a stored signed association (Python json.dumps spacing).
      c.sgAssoc.push(
        `{"medium": "${medium}", "address": "${address}", "mxid": "${mxid}", "ts": ${ts}, ` +
          `"not_before": ${ts}, "not_after": ${notAfter}, ` +
          `"signatures": {"${BENCH_SERVER_NAME}": {"ed25519:0": "${FAKE_SIGNATURE}"}}}`,
      );
      c.hash.push(hashOf({ medium, address }));
    }
    yield c;
  }
}

/** Pepper and the bench account, through the store (the schema is created on open). */
async function prepare(store: Store): Promise<void> {
  await store.hashing.setPepperAndRehash(BENCH_PEPPER, lookupHash);
  await store.accounts.addAccount(BENCH_USER, BASE_TS);
  await store.accounts.addToken(BENCH_USER, BENCH_TOKEN);
}

export type Log = (line: string) => void;

/** The cached SQLite file with `rows` bindings, built first if missing. */
export async function sqliteDataset(cacheDir: string, rows: number, log: Log): Promise<string> {
  const file = join(cacheDir, `sqlite-${rows}-v${DATASET_VERSION}.db`);
  if (existsSync(file)) {
    log(`SQLite: reusing ${file}`);
    return file;
  }
  const partial = `${file}.partial`;
  for (const suffix of ["", "-wal", "-shm"]) rmSync(partial + suffix, { force: true });
  const started = Date.now();
  const store = await openSqliteStore(partial);
  await prepare(store);
  await store.close();

  const db = new BetterSqlite3(partial);
  db.pragma("synchronous = OFF");
  const indexes = db
    .prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL`)
    .all(TABLE) as { name: string; sql: string }[];
  const insert = db.prepare(
    `INSERT INTO ${TABLE} (medium, address, mxid, ts, notBefore, notAfter, originServer, originId, sgAssoc, lookup_hash)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  db.transaction(() => {
    for (const index of indexes) db.exec(`DROP INDEX "${index.name}"`);
    for (const c of batches(rows)) {
      for (let k = 0; k < c.medium.length; k++) {
        insert.run(
          c.medium[k],
          c.address[k],
          c.mxid[k],
          c.ts[k],
          c.notBefore[k],
          c.notAfter[k],
          BENCH_SERVER_NAME,
          c.originId[k],
          c.sgAssoc[k],
          c.hash[k],
        );
      }
    }
    for (const index of indexes) db.exec(index.sql);
  })();
  db.pragma("wal_checkpoint(TRUNCATE)");
  db.close();
  renameSync(partial, file);
  log(`SQLite: built ${rows} rows in ${((Date.now() - started) / 1000).toFixed(1)} s (${file})`);
  return file;
}

export interface PostgresDataset {
  /** The server URL bound to the dataset's schema. */
  url: string;
  drop(): Promise<void>;
}

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A fresh schema on the server at `baseUrl` holding `rows` bindings. */
export async function postgresDataset(baseUrl: string, rows: number, log: Log): Promise<PostgresDataset> {
  const schema = `cairn_bench_${randomBytes(6).toString("hex")}`;
  await withClient(baseUrl, (client) => client.query(`CREATE SCHEMA ${schema}`));
  const url = new URL(baseUrl);
  url.searchParams.set("options", `-c search_path=${schema}`);
  const dataset = {
    url: url.toString(),
    drop: () => withClient(baseUrl, (client) => client.query(`DROP SCHEMA ${schema} CASCADE`)).then(() => {}),
  };
  try {
    const started = Date.now();
    const store = await openPostgresStore({ url: dataset.url, poolSize: 1 });
    await prepare(store);
    await store.close();
    await withClient(dataset.url, async (client) => {
      await client.query("BEGIN");
      // Bulk-load settings for this transaction only: no flush per commit, room to sort index keys.
      await client.query("SET LOCAL synchronous_commit = off");
      await client.query("SET LOCAL maintenance_work_mem = '256MB'");
      const { rows: indexes } = await client.query<{ indexname: string; indexdef: string }>(
        `SELECT indexname, indexdef FROM pg_indexes
         WHERE schemaname = current_schema() AND tablename = $1 AND indexname NOT LIKE '%pkey'`,
        [TABLE],
      );
      for (const index of indexes) await client.query(`DROP INDEX "${index.indexname}"`);
      for (const c of batches(rows)) {
        await client.query(
          `INSERT INTO ${TABLE} (medium, address, mxid, ts, "notBefore", "notAfter", "originServer", "originId", "sgAssoc", lookup_hash)
           SELECT medium, address, mxid, ts, nb, na, $7, oid, sg, h
           FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::bigint[],
                       $8::bigint[], $9::text[], $10::text[]) AS t(medium, address, mxid, ts, nb, na, oid, sg, h)`,
          [
            c.medium,
            c.address,
            c.mxid,
            c.ts,
            c.notBefore,
            c.notAfter,
            BENCH_SERVER_NAME,
            c.originId,
            c.sgAssoc,
            c.hash,
          ],
        );
      }
      for (const index of indexes) await client.query(index.indexdef);
      await client.query("COMMIT");
      // A long-running database has planner statistics (autovacuum); a fresh bulk load needs them now.
      await client.query(`ANALYZE ${TABLE}`);
    });
    log(
      `PostgreSQL: built ${rows} rows in ${((Date.now() - started) / 1000).toFixed(1)} s (schema ${schema})`,
    );
    return dataset;
  } catch (error) {
    await dataset.drop();
    throw error;
  }
}
