// The local push (behaviour §8.5): after every bind and unbind, this server's own new local rows are
// copied into the global table that lookups read, so a binding answers lookups here before the
// bind request returns. Rows after the highest originId of our own global rows are processed: a
// tombstone deletes the 3PID's global rows (every origin), a binding is inserted (INSERT OR IGNORE)
// with a freshly signed association and a lookup hash under our pepper.
import { pythonJsonDumps } from "../crypto/canonical-json.js";
import { casefold } from "../crypto/casefold.js";
import { lookupHash } from "../crypto/lookup-hash.js";
import type { SigningKey } from "../crypto/signing-key.js";
import { associationFromLocal, signAssociation } from "../domain/signed-association.js";
import type { Config } from "../config/types.js";
import type { Transactional } from "../store/store.js";

export interface LocalPushDeps {
  config: Pick<Config, "general">;
  /** The store, or the transaction the bind wrote its local row in. */
  store: Transactional;
  serverKey: SigningKey;
  pepper: string;
}

export interface LocalPushResult {
  /** Local rows processed (tombstones included). */
  processed: number;
  inserted: number;
  deleted: number;
}

/**
 * Copies our new local rows to the global table, in one transaction (joining the caller's when
 * `deps.store` is one) under the local-rows lock, so concurrent binds and unbinds are applied in
 * id order.
 */
export function localPush(deps: LocalPushDeps): Promise<LocalPushResult> {
  const serverName = deps.config.general.serverName;
  return deps.store.transaction(async (tx) => {
    await tx.associations.lockLocal();
    const { max } = await tx.associations.originIdStats(serverName);
    const rows = await tx.associations.localAfter(max);
    const result: LocalPushResult = { processed: rows.length, inserted: 0, deleted: 0 };
    for (const row of rows) {
      // Rows written by old Sydent releases may not be folded yet; Sydent folds them here.
      const address = row.medium === "email" ? casefold(row.address) : row.address;
      if (row.mxid === null || row.ts === null || row.notBefore === null || row.notAfter === null) {
        result.deleted += await tx.associations.deleteGlobal({ medium: row.medium, address });
        continue;
      }
      const signed = signAssociation(associationFromLocal(row), serverName, deps.serverKey);
      const inserted = await tx.associations.insertGlobal({
        medium: row.medium,
        address,
        mxid: row.mxid,
        ts: row.ts,
        notBefore: row.notBefore,
        notAfter: row.notAfter,
        originServer: serverName,
        originId: row.id,
        sgAssoc: pythonJsonDumps(signed),
        lookupHash: lookupHash(address, row.medium, deps.pepper),
      });
      if (inserted) result.inserted++;
    }
    return result;
  });
}
