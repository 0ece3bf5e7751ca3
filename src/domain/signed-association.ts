// The signed association: what a bind returns, onbind delivers, replication pushes and the global
// table stores as `sgAssoc`. Built from a local row each time it is needed (as Sydent does), with the
// key order Sydent uses so that the stored JSON text matches its rows.
import { signJson, type Signatures } from "../crypto/signed-json.js";
import type { SigningKey } from "../crypto/signing-key.js";
import type { LocalAssociation } from "../store/store.js";

/** 100 years of 365 days: a binding's `not_after` is `ts` plus this. */
export const ASSOCIATION_LIFETIME_MS = 100 * 365 * 24 * 60 * 60 * 1000;

export interface InviteDelivery {
  medium: string;
  address: string;
  room_id: string;
  sender: string;
  token: string;
  mxid: string;
  /** `{mxid, token}` signed with the server key: the proof homeservers check. */
  signed: Record<string, unknown>;
}

export interface Association {
  medium: string;
  address: string;
  /** null in a tombstone (a removed binding, pushed to peers as a deletion). */
  mxid: string | null;
  ts: number;
  not_before: number | null;
  not_after: number | null;
  invites?: InviteDelivery[];
}

export type SignedAssociation = Association & { signatures: Signatures };

/** The association a local row stands for (a tombstone keeps null mxid and validity). */
export function associationFromLocal(row: LocalAssociation): Association {
  return {
    medium: row.medium,
    address: row.address,
    mxid: row.mxid,
    ts: row.ts ?? 0,
    not_before: row.notBefore,
    not_after: row.notAfter,
  };
}

export function signAssociation(
  association: Association,
  serverName: string,
  key: SigningKey,
): SignedAssociation {
  const ordered: Association = {
    medium: association.medium,
    address: association.address,
    mxid: association.mxid,
    ts: association.ts,
    not_before: association.not_before,
    not_after: association.not_after,
    ...(association.invites ? { invites: association.invites } : {}),
  };
  return signJson(ordered, serverName, key) as SignedAssociation;
}
