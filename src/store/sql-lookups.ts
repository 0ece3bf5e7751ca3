// Read paths of the global association table: v1 lookup, bulk lookup and hashed lookup. Each is
// ONE indexed query whatever the number of items (no per-item queries, no temporary tables).

import { sql } from "kysely";
import type { Expression, RawBuilder, Selectable } from "kysely";
import { asciiLower } from "../crypto/casefold.js";
import type { GlobalThreepidAssociationsTable } from "./schema/database.js";
import type { SqlContext } from "./sql-store.js";
import type { BulkMatch, GlobalAssociation, Threepid } from "./store.js";

function lowerColumn(ctx: SqlContext, column: Expression<string>): RawBuilder<string> {
  return sql<string>`lower(${ctx.dialect.binary(column)})`;
}

function toGlobal({ lookup_hash, ...row }: Selectable<GlobalThreepidAssociationsTable>): GlobalAssociation {
  return { ...row, lookupHash: lookup_hash };
}

export async function lookup(
  ctx: SqlContext,
  threepid: Threepid,
  now: number,
): Promise<GlobalAssociation | undefined> {
  const row = await ctx.db
    .selectFrom("global_threepid_associations")
    .selectAll()
    .where("medium", "=", threepid.medium)
    .where(lowerColumn(ctx, sql.ref("address")), "=", asciiLower(threepid.address))
    .where("notBefore", "<", now)
    .where("notAfter", ">", now)
    .orderBy("ts", "desc")
    .orderBy("id", "desc")
    .limit(1)
    .executeTakeFirst();
  return row && toGlobal(row);
}

export async function bulkLookup(
  ctx: SqlContext,
  threepids: readonly Threepid[],
  now: number,
): Promise<BulkMatch[]> {
  const wanted = new Map<string, Threepid>();
  for (const { medium, address } of threepids) {
    const lower = asciiLower(address);
    wanted.set(JSON.stringify([medium, lower]), { medium, address: lower });
  }
  if (wanted.size === 0) return [];
  const { dialect } = ctx;
  const g = (column: string) => sql.ref<string>(`g.${column}`);
  const { rows } = await sql<BulkMatch>`
    SELECT g.medium, g.address, g.mxid, g.ts
    FROM (${dialect.threepidTable([...wanted.values()])}) AS q
    JOIN global_threepid_associations AS g
      ON g.medium = q.medium AND ${lowerColumn(ctx, g("address"))} = q.address
    WHERE g."notBefore" < ${now} AND g."notAfter" > ${now}
    ORDER BY ${dialect.binary(g("medium"))}, ${dialect.binary(g("address"))}, g.ts DESC, g.id DESC
  `.execute(ctx.db);
  // Rows come grouped by stored (medium, address), newest first: keep the first of each group.
  const matches: BulkMatch[] = [];
  for (const row of rows) {
    const last = matches[matches.length - 1];
    if (last?.medium === row.medium && last.address === row.address) continue;
    matches.push({ medium: row.medium, address: row.address, mxid: row.mxid, ts: row.ts });
  }
  return matches;
}

export async function lookupHashes(
  ctx: SqlContext,
  hashes: readonly string[],
  now: number,
): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  if (hashes.length === 0) return found;
  // NOTSPEC: Sydent let the alphabetically greatest mxid win among rows sharing a hash; the
  // newest binding wins here, as in every other lookup.
  const rows = await ctx.db
    .selectFrom("global_threepid_associations")
    .select(["lookup_hash", "mxid"])
    .where(ctx.dialect.inStrings(sql.ref("lookup_hash"), [...new Set(hashes)]))
    .where("notBefore", "<", now)
    .where("notAfter", ">", now)
    .orderBy("ts")
    .orderBy("id")
    .execute();
  for (const row of rows) if (row.lookup_hash !== null) found.set(row.lookup_hash, row.mxid);
  return found;
}
