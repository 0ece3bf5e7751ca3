// Third-party invitations (behaviour §6): a homeserver stores an invitation for an email address
// that is bound to nobody yet; Cairn mails the invitee a link carrying an ephemeral private key and
// hands the homeserver the keys the room will check. Every check runs before anything is stored
// (Sydent stored the token first, Q20), and an invitation whose email could not be sent is removed.
// Invitations lapse after `[invites] expiry_days`.
import type { Logger } from "pino";
import type { Clock } from "../clock.js";
import type { Config } from "../config/types.js";
import { decodeBase64, encodeBase64Url } from "../crypto/base64.js";
import { casefold } from "../crypto/casefold.js";
import { ASCII_LETTERS, type Random } from "../crypto/random.js";
import { signJson, type Signatures } from "../crypto/signed-json.js";
import { signingKeyFromSeed, type SigningKey } from "../crypto/signing-key.js";
import { internalError, invalidParam, MatrixError } from "../errors.js";
import { identityServerUrl } from "../senders/mailer.js";
import { isAcceptedRecipient } from "../senders/parseaddr.js";
import type { Mailer } from "../senders/types.js";
import type { Invite, InviteValidity, Store, Threepid } from "../store/store.js";
import { checkKeywords, checkRoomAndServer } from "./invite-policy.js";
import { inviteSubstitutions, redactAddress } from "./invite-email.js";
import { enforceRateLimit, type RateLimiter } from "./ratelimit.js";

const DAY_MS = 24 * 60 * 60 * 1000;
const TOKEN_LENGTH = 128;
const MAX_ADDRESS_LENGTH = 500;

export interface InviteDeps {
  config: Pick<Config, "general" | "http" | "email" | "invites">;
  store: Pick<Store, "invites" | "associations">;
  serverKey: Pick<SigningKey, "publicKeyBase64">;
  clock: Clock;
  random: Random;
  mailer: Mailer;
  log: Logger;
  /** Its `emailSender` bucket is shared with email requestToken (same key for a v2 user). */
  rateLimiter: RateLimiter;
}

/** The arguments of store-invite: the four required ones, and whatever else the homeserver sent. */
export type StoreInviteArgs = Readonly<Record<string, unknown>> & {
  medium: string;
  address: string;
  room_id: string;
  sender: string;
};

export interface StoreInviteRequest {
  args: StoreInviteArgs;
  /** The authenticated user on v2 (who must be the sender); null on v1. */
  userId: string | null;
  /** The `brand` query parameter: which brand's template the email uses. */
  brand: string | undefined;
}

export interface PublicKeyEntry {
  public_key: string;
  key_validity_url: string;
}

export interface StoreInviteResponse {
  token: string;
  /** The server's long-term key (standard base64), for homeservers that predate `public_keys`. */
  public_key: string;
  public_keys: PublicKeyEntry[];
  display_name: string;
}

/** When invitations count as expired now (see InviteValidity). */
export function inviteValidity(config: Pick<Config, "invites">, clock: Clock): InviteValidity {
  return { now: clock.now(), legacyLifetimeMs: config.invites.expiryDays * DAY_MS };
}

/** The `key_validity_url`s: v1 paths, which every homeserver and old room state use. */
function keyValidityUrls(config: Pick<Config, "general" | "http">) {
  // With client_http_base empty Sydent wrote a relative URL, which no homeserver can fetch.
  const base = `${identityServerUrl(config)}/_matrix/identity/api/v1/pubkey`;
  return { server: `${base}/isvalid`, ephemeral: `${base}/ephemeral/isvalid` };
}

/**
 * Every check of §6.1 (steps 3-8, 12 and the address check of step 20) in Sydent's order; returns
 * the address the invitation is stored and sent under.
 */
async function checkRequest(deps: InviteDeps, args: StoreInviteArgs, userId: string | null): Promise<string> {
  const normalised = args.medium === "email" ? casefold(args.address) : args.address;
  if (userId !== null && args.sender !== userId) {
    throw new MatrixError("M_UNAUTHORIZED", "'sender' doesn't match", { status: 403 });
  }
  checkRoomAndServer(deps.config.email, args.room_id, args.sender);
  await enforceRateLimit(deps.rateLimiter, "emailSender", args.sender, "Limit exceeded for this sender");
  const bound = await deps.store.associations.boundMxid(
    { medium: args.medium, address: normalised },
    deps.clock.now(),
  );
  if (bound !== undefined) {
    throw new MatrixError("M_THREEPID_IN_USE", "Binding already known", { extra: { mxid: bound } });
  }
  if (args.medium !== "email") {
    throw new MatrixError("M_UNRECOGNIZED", `Didn't understand medium '${args.medium}'`, { status: 400 });
  }
  const length = Array.from(args.address).length;
  if (length < 1 || length > MAX_ADDRESS_LENGTH) throw invalidParam("Invalid email provided");
  checkKeywords(deps.config.email, args);
  // The address must also split at `@` for the display name (Sydent answered 500 after sending).
  if (!isAcceptedRecipient(normalised) || !args.address.includes("@")) {
    throw new MatrixError("M_INVALID_EMAIL", "Invalid email address");
  }
  return normalised;
}

/** `POST /store-invite`: checks, stores, emails the invitee; nothing stays stored if sending fails. */
export async function storeInvite(
  deps: InviteDeps,
  request: StoreInviteRequest,
): Promise<StoreInviteResponse> {
  // A token sent in the body (v2 without Authorization) is a credential, not invitation data.
  const { access_token: _token, ...args } = request.args;
  const address = await checkRequest(deps, args, request.userId);
  const token = deps.random.string(TOKEN_LENGTH, ASCII_LETTERS);
  const seed = deps.random.bytes(32);
  const ephemeral = signingKeyFromSeed(seed, "0");
  const ephemeralPublicKey = encodeBase64Url(ephemeral.publicKey);
  // Before storing: a broken email.invite.subject fails here, with nothing stored.
  const vars = inviteSubstitutions({
    args,
    token,
    ephemeralPrivateKey: encodeBase64Url(seed),
    verifiedSender: request.userId,
    email: deps.config.email,
  });
  const now = deps.clock.now();
  await deps.store.invites.add({
    medium: args.medium,
    address,
    roomId: args.room_id,
    sender: args.sender,
    token,
    ephemeralPublicKey,
    receivedTs: Math.floor(now / 1000),
    expiresAt: now + deps.config.invites.expiryDays * DAY_MS,
  });
  try {
    await deps.mailer.send({ template: "invite_template.eml", brand: request.brand, to: address, vars });
  } catch (err) {
    await deps.store.invites.revoke(token);
    deps.log.error({ err }, "invitation email not sent; the invitation was removed");
    throw internalError();
  }
  const urls = keyValidityUrls(deps.config);
  const serverKey = deps.serverKey.publicKeyBase64;
  return {
    token,
    public_key: serverKey,
    public_keys: [
      { public_key: serverKey, key_validity_url: urls.server },
      { public_key: ephemeralPublicKey, key_validity_url: urls.ephemeral },
    ],
    display_name: redactAddress(
      args.address,
      deps.config.email.usernameObfuscateCharacters,
      deps.config.email.domainObfuscateCharacters,
    ),
  };
}

export interface SignRequest {
  token: string;
  /** The ephemeral private key from the email link: a 32-byte seed, base64 (either alphabet). */
  privateKey: string;
  mxid: string;
}

export interface SignedInviteProof {
  mxid: string;
  sender: string;
  token: string;
  signatures: Signatures;
}

/** `POST /sign-ed25519`: `{mxid, sender, token}` signed with the caller's ephemeral key. */
export async function signInviteToken(
  deps: Pick<InviteDeps, "config" | "store" | "clock">,
  request: SignRequest,
): Promise<SignedInviteProof> {
  const { token, mxid } = request;
  const sender = await deps.store.invites.senderForToken(token, inviteValidity(deps.config, deps.clock));
  if (sender === undefined) throw new MatrixError("M_UNRECOGNIZED", "Didn't recognize token");
  let seed: Buffer;
  try {
    seed = decodeBase64(request.privateKey);
  } catch {
    seed = Buffer.alloc(0);
  }
  // Sydent answered 500 for a key that is not a 32-byte seed.
  if (seed.length !== 32) throw invalidParam("private_key must be an ed25519 seed in unpadded base64");
  const key = signingKeyFromSeed(seed, "0");
  return signJson({ mxid, sender, token }, deps.config.general.serverName, key);
}

/** `GET /pubkey/ephemeral/isvalid`: counts the check; true while the key's invitation is valid. */
export function isEphemeralKeyValid(
  deps: Pick<InviteDeps, "config" | "store" | "clock">,
  publicKey: string,
): Promise<boolean> {
  return deps.store.invites.checkEphemeralKey(publicKey, inviteValidity(deps.config, deps.clock));
}

/** The invitations a bind of this 3PID delivers: pending and not expired. */
export function pendingInvites(
  deps: Pick<InviteDeps, "config" | "store" | "clock">,
  threepid: Threepid,
): Promise<Invite[]> {
  return deps.store.invites.pending(threepid, inviteValidity(deps.config, deps.clock));
}
