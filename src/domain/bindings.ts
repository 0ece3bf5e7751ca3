// Bindings (behaviour §1.12, §1.13, §3.6): binding a 3PID to a Matrix ID and removing that binding.
// A change is written as a local row (the replication log) and applied to the global table that
// lookups read in the same transaction, so a bind answers lookups before its request returns, and
// peers are poked once it has committed. Who may bind or unbind is decided here for sessions; the
// homeserver proof (X-Matrix) is checked by the route, which holds the request.
import { casefold } from "../crypto/casefold.js";
import { lookupHash } from "../crypto/lookup-hash.js";
import { MatrixError } from "../errors.js";
import type { OnbindKick } from "../jobs/onbind-delivery.js";
import { localPush } from "../replication/local-push.js";
import type { Replication } from "../replication/service.js";
import type { Transactional, Threepid } from "../store/store.js";
import { enqueueOnbind, type OnbindDeps } from "./onbind.js";
import { checkValidatedSession, getValidatedSession, sessionExpired, type SessionDeps } from "./sessions.js";
import {
  ASSOCIATION_LIFETIME_MS,
  associationFromLocal,
  type SignedAssociation,
} from "./signed-association.js";

export interface BindingDeps extends OnbindDeps {
  store: Transactional;
  pepper: string;
  replication: Replication;
  /** Sends the queued homeserver notification once the bind has committed. */
  onbind: OnbindKick;
}

export interface Binding extends Threepid {
  mxid: string;
}

/** The stored form of an address: email addresses case-folded as Python's `str.casefold()`. */
export function storedAddress(threepid: Threepid): string {
  return threepid.medium === "email" ? casefold(threepid.address) : threepid.address;
}

/**
 * Binds the 3PID to `mxid` (replacing any binding it had) and returns the signed association,
 * with the pending invitations it delivers; the homeserver's notification is queued in the same
 * transaction. Values are not validated: the callers vouch for them (a session, or the operator).
 */
export async function bind(deps: BindingDeps, binding: Binding): Promise<SignedAssociation> {
  const { medium, mxid } = binding;
  const address = storedAddress(binding);
  const now = deps.clock.now();
  const signed = await deps.store.transaction(async (tx) => {
    const local = await tx.associations.upsertLocal({
      medium,
      address,
      mxid,
      ts: now,
      notBefore: now,
      notAfter: now + ASSOCIATION_LIFETIME_MS,
      lookupHash: lookupHash(address, medium, deps.pepper),
    });
    await localPush({ ...deps, store: tx });
    return enqueueOnbind(tx, deps, { mxid, association: associationFromLocal(local) });
  });
  deps.replication.poke();
  deps.onbind.kick();
  return signed;
}

/**
 * Removes the binding of the 3PID to `mxid`, if there is one (idempotent): the local row becomes a
 * tombstone and every global row of the 3PID goes, as Sydent's local push does. Returns whether
 * there was one.
 */
export async function unbind(deps: BindingDeps, binding: Binding): Promise<boolean> {
  const threepid = { medium: binding.medium, address: storedAddress(binding) };
  const now = deps.clock.now();
  const changed = await deps.store.transaction(async (tx) => {
    const tombstone = await tx.associations.tombstoneLocal(threepid, binding.mxid, now);
    if (tombstone) await localPush({ ...deps, store: tx });
    return tombstone !== undefined;
  });
  if (changed) deps.replication.poke();
  return changed;
}

/** Bind with a validated session: the session's 3PID is bound to `mxid` (Sydent's errors, §1.12). */
export async function bindWithSession(
  deps: BindingDeps & SessionDeps,
  sid: unknown,
  clientSecret: string,
  mxid: string,
): Promise<SignedAssociation> {
  const session = await getValidatedSession(deps, sid, clientSecret);
  return bind(deps, { medium: session.medium, address: session.address, mxid });
}

/**
 * The session proof of an unbind (§1.13 a): a validated, unexpired session for this 3PID. Sydent's
 * codes, except where it hung (not validated: 403 here) or failed (expired: 500 there, 400
 * `M_SESSION_EXPIRED` here); addresses are compared in stored form, so the session of `Alice@x`
 * may unbind `alice@x` (Sydent compared them as typed).
 */
export async function checkUnbindSession(
  deps: SessionDeps,
  sid: unknown,
  clientSecret: string,
  threepid: Threepid,
): Promise<void> {
  const check = await checkValidatedSession(deps, sid, clientSecret);
  if (!check.ok) {
    switch (check.reason) {
      case "no_session":
        throw new MatrixError(
          "M_NO_VALID_SESSION",
          "No valid session was found matching that sid and client secret",
          { status: 401 },
        );
      case "expired":
        throw sessionExpired();
      case "not_validated":
        throw new MatrixError(
          "M_SESSION_NOT_VALIDATED",
          "This validation session has not yet been completed",
          { status: 403 },
        );
    }
  }
  const { session } = check;
  if (session.medium !== threepid.medium || storedAddress(session) !== storedAddress(threepid)) {
    throw new MatrixError("M_FORBIDDEN", "Provided session information does not match medium/address combo");
  }
}

/** The homeserver proof of an unbind (§1.13 b): the signing origin must be the mxid's server. */
export function checkUnbindOrigin(mxid: string, origin: string): void {
  if (!mxid.endsWith(`:${origin}`)) {
    throw new MatrixError("M_FORBIDDEN", "Origin server name does not match mxid");
  }
}
