// The check at the end of `cairn import-sydent`: the same lookups asked of both databases through
// the store (v1 lookup, bulk lookup, hashed lookup) over a sample of the stored bindings must get
// the same answers. Differences name global row ids, never addresses.

import { isDeepStrictEqual as same } from "node:util";
import type BetterSqlite3 from "better-sqlite3";
import type { Store, Threepid } from "./store.js";

export interface LookupCheck {
  /** How many stored bindings were looked up. */
  sampled: number;
  /** One line per difference. */
  differences: string[];
}

interface Sample extends Threepid {
  id: number;
  lookupHash: string | null;
}

/** About `size` global rows spread evenly over the table. */
function sample(db: BetterSqlite3.Database, size: number): Sample[] {
  const total = db.prepare("SELECT count(*) FROM global_threepid_associations").pluck().get() as number;
  const step = Math.max(1, Math.ceil(total / size));
  return db
    .prepare(
      `SELECT id, medium, address, lookup_hash AS lookupHash FROM (
         SELECT id, medium, address, lookup_hash, row_number() OVER (ORDER BY id) AS n
         FROM global_threepid_associations)
       WHERE (n - 1) % ? = 0 ORDER BY id`,
    )
    .all(step) as Sample[];
}

/** Asks both stores the same lookups, valid at `now`, about a sample of `sqlite`'s global rows. */
export async function compareLookups(
  sqlite: { db: BetterSqlite3.Database; store: Store },
  postgres: Store,
  now: number,
  size = 100,
): Promise<LookupCheck> {
  const rows = sample(sqlite.db, size);
  const differences: string[] = [];
  for (const row of rows) {
    const threepid = { medium: row.medium, address: row.address };
    const [a, b] = await Promise.all([
      sqlite.store.associations.lookup(threepid, now),
      postgres.associations.lookup(threepid, now),
    ]);
    if (!same(a, b)) differences.push(`v1 lookup of the 3PID of global row ${row.id}`);
  }
  const threepids = rows.map(({ medium, address }) => ({ medium, address }));
  const [bulkA, bulkB] = await Promise.all([
    sqlite.store.associations.bulkLookup(threepids, now),
    postgres.associations.bulkLookup(threepids, now),
  ]);
  if (!same(bulkA, bulkB)) differences.push(`bulk lookup of the ${rows.length} sampled 3PIDs`);
  const hashes = rows.flatMap((row) => (row.lookupHash === null ? [] : [row.lookupHash]));
  const [hashedA, hashedB] = await Promise.all([
    sqlite.store.associations.lookupHashes(hashes, now),
    postgres.associations.lookupHashes(hashes, now),
  ]);
  if (!same(hashedA, hashedB)) differences.push(`hashed lookup of the ${hashes.length} sampled hashes`);
  return { sampled: rows.length, differences };
}
