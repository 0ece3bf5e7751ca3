// What operators see of third-party invitations and how they withdraw one (`cairn invites`): the
// address is shown redacted as in the room, the token only by its first letters.
import type { Clock } from "../clock.js";
import type { Config } from "../config/types.js";
import { casefold } from "../crypto/casefold.js";
import type { InviteValidity, ListedInvite, Store } from "../store/store.js";
import { redactAddress } from "./invite-email.js";
import { inviteValidity } from "./invites.js";

export type InviteState = "pending" | "delivered" | "expired";

export interface InviteSummary {
  /** The token's first letters, enough to revoke it by. */
  tokenPrefix: string;
  /** As the room shows it (`ali...@exa...`). */
  address: string;
  roomId: string;
  sender: string;
  /** Milliseconds; null when Sydent stored no time. */
  receivedAt: number | null;
  expiresAt: number | null;
  state: InviteState;
}

export const SHOWN_TOKEN_LETTERS = 12;
/** Fewer letters than this are refused by revoke, so that a slip cannot match a random invitation. */
export const MIN_REVOKE_PREFIX = 8;

export interface AdminDeps {
  store: Pick<Store, "invites">;
  config: Pick<Config, "email" | "invites">;
  clock: Clock;
}

/** When the invitation lapses: its own expiry, or (stored by Sydent) its age limit. */
function expiryOf(invite: ListedInvite, validity: InviteValidity): number | null {
  if (invite.expiresAt !== null) return invite.expiresAt;
  return invite.receivedTs === null ? null : invite.receivedTs * 1000 + validity.legacyLifetimeMs;
}

/** One invitation as operators see it. */
function summarise(invite: ListedInvite, deps: AdminDeps, validity: InviteValidity): InviteSummary {
  const { usernameObfuscateCharacters: user, domainObfuscateCharacters: domain } = deps.config.email;
  const expiresAt = expiryOf(invite, validity);
  const expired = expiresAt === null || expiresAt <= validity.now;
  return {
    tokenPrefix: invite.token.slice(0, SHOWN_TOKEN_LETTERS),
    address: invite.address.includes("@") ? redactAddress(invite.address, user, domain) : "...",
    roomId: invite.roomId,
    sender: invite.sender,
    receivedAt: invite.receivedTs === null ? null : invite.receivedTs * 1000,
    expiresAt,
    state: expired ? "expired" : invite.sentTs === null ? "pending" : "delivered",
  };
}

/** Every invitation (optionally of one address, as typed, and/or one room), oldest first. */
export async function listInvites(
  deps: AdminDeps,
  filter: { address?: string; roomId?: string },
): Promise<InviteSummary[]> {
  const validity = inviteValidity(deps.config, deps.clock);
  const address = filter.address === undefined ? {} : { address: casefold(filter.address) };
  const invites = await deps.store.invites.list({ ...filter, ...address });
  return invites.map((invite) => summarise(invite, deps, validity));
}

export class RevokeError extends Error {
  override name = "RevokeError";
}

export interface Revoked {
  summary: InviteSummary;
  /** Sydent stored the invitation without linking its key: the key stays valid until expiry. */
  keyKept: boolean;
}

/** Deletes the one invitation whose token is (or starts with) `token`, and its key. */
export async function revokeInvite(deps: AdminDeps, token: string): Promise<Revoked> {
  if (token.length < MIN_REVOKE_PREFIX) {
    throw new RevokeError(`give at least ${MIN_REVOKE_PREFIX} letters of the token`);
  }
  const [match, ...others] = await deps.store.invites.list({ tokenPrefix: token });
  if (match === undefined) throw new RevokeError(`no invitation has a token starting with ${token}`);
  if (others.some((other) => other.token !== match.token)) {
    throw new RevokeError(`several invitations have a token starting with ${token}: give more letters`);
  }
  const summary = summarise(match, deps, inviteValidity(deps.config, deps.clock));
  await deps.store.invites.revoke(match.token);
  return { summary, keyKept: match.expiresAt === null };
}
