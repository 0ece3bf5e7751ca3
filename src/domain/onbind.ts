// Bind notifications (behaviour §6.3): a bind hands the homeserver of the bound mxid the signed
// association, with the pending third-party invitations for the 3PID, each carrying the server's
// signature over {mxid, token}. Unlike Sydent (in memory, retried forever, lost on restart) the
// notification is queued in the bind's own transaction and sent by jobs/onbind-delivery.ts.
import type { Logger } from "pino";
import type { Clock } from "../clock.js";
import type { Config } from "../config/types.js";
import { signJson } from "../crypto/signed-json.js";
import type { SigningKey } from "../crypto/signing-key.js";
import { isValidServerName } from "../federation/server-name.js";
import type { Invite, Transactional } from "../store/store.js";
import { inviteValidity } from "./invites.js";
import {
  signAssociation,
  type Association,
  type InviteDelivery,
  type SignedAssociation,
} from "./signed-association.js";

export const ONBIND_PATH = "/_matrix/federation/v1/3pid/onbind";

export interface OnbindDeps {
  config: Pick<Config, "general" | "invites">;
  serverKey: SigningKey;
  clock: Clock;
  log: Logger;
}

export interface OnbindRequest {
  mxid: string;
  /** The association of the bind (signed or not: it is signed again with its invites). */
  association: Association;
}

/** The server part of an mxid when it is a valid server name (Sydent's check), else null. */
export function onbindDestination(mxid: string): string | null {
  const colon = mxid.indexOf(":");
  if (colon === -1) return null;
  const destination = mxid.slice(colon + 1);
  return isValidServerName(destination) ? destination : null;
}

function delivery(invite: Invite, mxid: string, deps: OnbindDeps): InviteDelivery {
  const proof = signJson({ mxid, token: invite.token }, deps.config.general.serverName, deps.serverKey);
  return {
    medium: invite.medium,
    address: invite.address,
    room_id: invite.roomId,
    sender: invite.sender,
    token: invite.token,
    mxid,
    signed: proof,
  };
}

/**
 * Call inside the bind transaction. Attaches the 3PID's pending invitations to the association,
 * marks them sent (as Sydent does, before the homeserver is contacted: a later bind does not
 * deliver them again), signs it and queues it for the mxid's homeserver. Returns the signed
 * association (invitations included), which is also what the bind answers. The invitation tokens
 * themselves are deleted once the homeserver accepted them, with `delete_tokens_on_bind`.
 */
export async function enqueueOnbind(
  tx: Transactional,
  deps: OnbindDeps,
  { mxid, association }: OnbindRequest,
): Promise<SignedAssociation> {
  const threepid = { medium: association.medium, address: association.address };
  const pending = await tx.invites.pending(threepid, inviteValidity(deps.config, deps.clock));
  const now = deps.clock.now();
  if (pending.length > 0) await tx.invites.markSent(threepid, Math.floor(now / 1000));
  const signed = signAssociation(
    {
      ...association,
      invites: pending.length > 0 ? pending.map((invite) => delivery(invite, mxid, deps)) : undefined,
    },
    deps.config.general.serverName,
    deps.serverKey,
  );
  const destination = onbindDestination(mxid);
  if (destination === null) {
    // The mxid names no server that could be told (Sydent logs and drops it too).
    deps.log.warn("bound mxid has no valid server name: no onbind notification");
    return signed;
  }
  await tx.onbind.enqueue({ destination, body: JSON.stringify(signed), now });
  return signed;
}
