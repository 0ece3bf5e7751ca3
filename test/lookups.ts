// Helpers for lookup tests: bindings written straight into the store (as a bind or a replication
// push would leave them) and one call that asks every lookup path about a 3PID.
import type { FastifyInstance } from "fastify";
import { pythonJsonDumps } from "../src/crypto/canonical-json.js";
import { lookupHash } from "../src/crypto/lookup-hash.js";
import type { SigningKey } from "../src/crypto/signing-key.js";
import type { Deps } from "../src/deps.js";
import { ASSOCIATION_LIFETIME_MS, signAssociation } from "../src/domain/signed-association.js";
import { bearer } from "./auth.js";

export const V1 = "/_matrix/identity/api/v1";
export const V2 = "/_matrix/identity/v2";

export interface Binding {
  medium?: string;
  address: string;
  mxid: string;
  ts: number;
  notBefore?: number;
  notAfter?: number;
  /** A replicated row: signed by this peer's key, with its own origin id. Default: one of ours. */
  peer?: { name: string; key: SigningKey; originId: number };
}

/**
 * Writes a binding: ours get a local row and the global row a local push makes from it; a peer's
 * only the global row a replication push leaves. `sgAssoc` is the signed association as Sydent
 * stores it.
 */
export async function writeBinding(deps: Deps, binding: Binding): Promise<void> {
  const { address, mxid, ts, peer } = binding;
  const medium = binding.medium ?? "email";
  const notBefore = binding.notBefore ?? ts;
  const notAfter = binding.notAfter ?? ts + ASSOCIATION_LIFETIME_MS;
  const hash = lookupHash(address, medium, deps.pepper);
  const associations = deps.store.associations;
  const originServer = peer?.name ?? deps.config.general.serverName;
  const originId = peer
    ? peer.originId
    : (await associations.upsertLocal({ medium, address, mxid, ts, notBefore, notAfter, lookupHash: hash }))
        .id;
  const association = { medium, address, mxid, ts, not_before: notBefore, not_after: notAfter };
  const signed = signAssociation(association, originServer, peer?.key ?? deps.serverKey);
  await associations.insertGlobal({
    medium,
    address,
    mxid,
    ts,
    notBefore,
    notAfter,
    originServer,
    originId,
    sgAssoc: pythonJsonDumps(signed),
    lookupHash: hash,
  });
}

export interface EveryLookup {
  v1: string | undefined;
  bulk: string | undefined;
  none: string | undefined;
  sha256: string | undefined;
}

/** The mxid each lookup path answers for (medium, address); sha256 hashes the address as given. */
export async function lookupEverywhere(
  app: FastifyInstance,
  pepper: string,
  medium: string,
  address: string,
): Promise<EveryLookup> {
  const v1 = await app.inject({ url: `${V1}/lookup`, query: { medium, address } });
  const bulk = await app.inject({
    method: "POST",
    url: `${V1}/bulk_lookup`,
    payload: { threepids: [[medium, address]] },
  });
  const plain = `${address} ${medium}`;
  const none = await v2Lookup(app, { addresses: [plain], algorithm: "none", pepper });
  const hash = lookupHash(address, medium, pepper);
  const sha256 = await v2Lookup(app, { addresses: [hash], algorithm: "sha256", pepper });
  for (const res of [v1, bulk, none, sha256]) {
    if (res.statusCode !== 200) throw new Error(`lookup failed: ${res.statusCode} ${res.body}`);
  }
  return {
    v1: v1.json().mxid,
    bulk: bulk.json().threepids[0]?.[2],
    none: none.json().mappings[plain],
    sha256: sha256.json().mappings[hash],
  };
}

/** POST /v2/lookup with the test token. */
export function v2Lookup(app: FastifyInstance, body: unknown) {
  return app.inject({ method: "POST", url: `${V2}/lookup`, headers: bearer, payload: body as object });
}
