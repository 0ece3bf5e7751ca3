// Replication peers (peers) and their public keys (peer_pubkeys).

import { sql } from "kysely";
import type { SqlContext } from "./sql-store.js";
import type { NewPeer, Peer, PeerStore } from "./store.js";

interface PeerKeyRow {
  name: string;
  port: number | null;
  lastSentVersion: number | null;
  lastPokeSucceededAt: number | null;
  active: number;
  alg: string | null;
  key: string | null;
}

/** Folds one row per (peer, key) into one Peer per name, keeping the row order. */
function groupPeers(rows: readonly PeerKeyRow[]): Peer[] {
  const peers = new Map<string, Peer>();
  for (const { alg, key, active, ...row } of rows) {
    let peer = peers.get(row.name);
    if (!peer) {
      peer = { ...row, active: active !== 0, publicKeys: {} };
      peers.set(row.name, peer);
    }
    if (alg !== null && key !== null) peer.publicKeys[alg] = key;
  }
  return [...peers.values()];
}

const peerColumns = ["p.name", "p.port", "p.lastSentVersion", "p.lastPokeSucceededAt", "p.active"] as const;

function byName(ctx: SqlContext) {
  return ctx.dialect.binary(sql.ref("p.name"));
}

function activeWithKeys(ctx: SqlContext) {
  return ctx.db
    .selectFrom("peers as p")
    .innerJoin("peer_pubkeys as k", "k.peername", "p.name")
    .select([...peerColumns, "k.alg", "k.key"])
    .where("p.active", "=", 1)
    .orderBy(byName(ctx))
    .orderBy("k.alg");
}

export class SqlPeers implements PeerStore {
  constructor(private readonly ctx: SqlContext) {}

  async activePeers(): Promise<Peer[]> {
    return groupPeers(await activeWithKeys(this.ctx).execute());
  }

  async activePeer(name: string): Promise<Peer | undefined> {
    return groupPeers(await activeWithKeys(this.ctx).where("p.name", "=", name).execute())[0];
  }

  async updateProgress(name: string, lastSentVersion: number, lastPokeSucceededAt: number): Promise<void> {
    await this.ctx.db
      .updateTable("peers")
      .set({ lastSentVersion, lastPokeSucceededAt })
      .where("name", "=", name)
      .execute();
  }

  async add(peer: NewPeer): Promise<void> {
    await this.ctx.atomic(async (db) => {
      await db
        .insertInto("peers")
        .values({ name: peer.name, port: peer.port, active: peer.active ? 1 : 0 })
        .execute();
      const keys = Object.entries(peer.publicKeys).map(([alg, key]) => ({ peername: peer.name, alg, key }));
      if (keys.length > 0) await db.insertInto("peer_pubkeys").values(keys).execute();
    });
  }

  remove(name: string): Promise<boolean> {
    return this.ctx.atomic(async (db) => {
      await db.deleteFrom("peer_pubkeys").where("peername", "=", name).execute();
      const result = await db.deleteFrom("peers").where("name", "=", name).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    });
  }

  async list(): Promise<Peer[]> {
    const rows = await this.ctx.db
      .selectFrom("peers as p")
      .leftJoin("peer_pubkeys as k", "k.peername", "p.name")
      .select([...peerColumns, "k.alg", "k.key"])
      .orderBy(byName(this.ctx))
      .orderBy("k.alg")
      .execute();
    return groupPeers(rows);
  }
}
