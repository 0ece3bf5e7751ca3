// What a replication push from a peer does to our global table (behaviour §8.3): every signed
// association is checked against the peer's key, then all of them are stored in one transaction,
// or none when any fails. Deletions (mxid null) remove the 3PID's rows from every origin.
import type { Logger } from "pino";
import { casefold } from "../crypto/casefold.js";
import { pythonJsonDumps } from "../crypto/canonical-json.js";
import { lookupHash } from "../crypto/lookup-hash.js";
import { verifySignedJson } from "../crypto/signed-json.js";
import { badJson, MatrixError } from "../errors.js";
import type { Store } from "../store/store.js";

/** The key id every Sydent and Cairn server signs associations with. */
const SIGNING_KEY_ID = "ed25519:0";
const FIELDS = ["medium", "address", "mxid", "ts", "not_before", "not_after"] as const;

export interface PushingPeer {
  /** The peer's server name: the CN of its certificate, the name its signatures are under. */
  name: string;
  /** Its Ed25519 public key, 32 bytes. */
  verifyKey: Buffer;
}

export interface IngestDeps {
  store: Store;
  pepper: string;
  log: Logger;
}

export interface IngestResult {
  inserted: number;
  /** Already present (same originServer and originId): left as they were. */
  ignored: number;
  /** Global rows removed by deletions. */
  deleted: number;
}

interface Entry {
  /** The key as received: what `failed_ids` reports. */
  key: string;
  originId: number;
  value: unknown;
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const isTimestamp = (value: unknown): value is number =>
  typeof value === "number" && Number.isSafeInteger(value);

/** The entries of `sgAssocs` in ascending numeric order of their keys (Python's `int(key)`). */
function entries(body: unknown): Entry[] {
  if (!isObject(body) || !Object.hasOwn(body, "sgAssocs")) throw badJson('No "sgAssocs" key in JSON');
  const assocs = body.sgAssocs;
  // Sydent answers 500 to a non-object sgAssocs and to a key that is not an integer.
  if (!isObject(assocs)) throw badJson('"sgAssocs" must be an object');
  const list = Object.entries(assocs).map(([key, value]): Entry => {
    const originId = /^\s*[+-]?\d+\s*$/.test(key) ? Number(key) : NaN;
    if (!Number.isSafeInteger(originId))
      throw badJson(`Association id ${JSON.stringify(key)} is not an integer`);
    return { key, originId, value };
  });
  return list.sort((a, b) => a.originId - b.originId);
}

/** A verified association, with what a global row needs. */
interface Received {
  medium: string;
  address: string;
  /** null: a deletion. */
  binding: { mxid: string; ts: number; notBefore: number; notAfter: number } | null;
  /** The object as received, stored as `sgAssoc`. */
  signed: Json;
}

/**
 * The association in `value` if it is signed by the peer under `ed25519:0` and has the six fields
 * (values may be null); else null. Beyond Sydent, the fields must have the types a row can hold:
 * strings for medium and address, and for a binding (mxid not null) integer timestamps.
 */
function verified(value: unknown, peer: PushingPeer): Received | null {
  if (!isObject(value)) return null;
  try {
    if (!verifySignedJson(value, peer.name, SIGNING_KEY_ID, peer.verifyKey).ok) return null;
  } catch {
    // A value canonical JSON cannot encode cannot have been signed.
    return null;
  }
  if (!FIELDS.every((field) => Object.hasOwn(value, field))) return null;
  const { medium, address, mxid, ts, not_before: notBefore, not_after: notAfter } = value;
  if (typeof medium !== "string" || typeof address !== "string") return null;
  if (mxid === null) return { medium, address, binding: null, signed: value };
  if (typeof mxid !== "string" || !isTimestamp(ts) || !isTimestamp(notBefore) || !isTimestamp(notAfter)) {
    return null;
  }
  return { medium, address, binding: { mxid, ts, notBefore, notAfter }, signed: value };
}

/**
 * Verifies and stores one push. Throws MatrixError: 400 M_BAD_JSON for a body without an
 * `sgAssocs` object, 400 M_VERIFICATION_FAILED listing every failed key (nothing is stored then).
 */
export async function ingestPush(deps: IngestDeps, peer: PushingPeer, body: unknown): Promise<IngestResult> {
  const checked = entries(body).map((entry) => ({ ...entry, assoc: verified(entry.value, peer) }));
  const failed = checked.filter((entry) => entry.assoc === null).map((entry) => entry.key);
  if (failed.length > 0) {
    deps.log.warn({ peer: peer.name, failed }, "replication push refused: associations failed verification");
    throw new MatrixError("M_VERIFICATION_FAILED", "Verification failed for one or more associations", {
      extra: { failed_ids: failed },
    });
  }
  const result: IngestResult = { inserted: 0, ignored: 0, deleted: 0 };
  // One transaction: Sydent commits each deletion at once, so half a failed batch could stay.
  await deps.store.transaction(async (tx) => {
    for (const { originId, assoc } of checked) {
      if (assoc === null) continue;
      const { medium, binding } = assoc;
      const address = medium === "email" ? casefold(assoc.address) : assoc.address;
      if (binding === null) {
        result.deleted += await tx.associations.deleteGlobal({ medium, address });
        continue;
      }
      const inserted = await tx.associations.insertGlobal({
        medium,
        address,
        ...binding,
        originServer: peer.name,
        originId,
        // As received: the address as the peer spelled it, its signatures, any extra fields.
        sgAssoc: pythonJsonDumps(assoc.signed),
        lookupHash: lookupHash(address, medium, deps.pepper),
      });
      if (inserted) result.inserted++;
      else result.ignored++;
    }
  });
  deps.log.info({ peer: peer.name, ...result }, "replication push stored");
  return result;
}
