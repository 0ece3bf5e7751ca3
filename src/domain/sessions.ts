// Validation sessions (behaviour §4): a session proves that whoever holds its client secret
// received a token at an email address or phone number. This module holds what both media share:
// identifiers, the client-secret rule, get-or-create, token submission and the validated-session
// check that getValidated3pid, bind and unbind rely on.
import type { Clock } from "../clock.js";
import type { Random } from "../crypto/random.js";
import { MatrixError } from "../errors.js";
import type { SessionStore, TokenSession, ValidationSession } from "../store/store.js";

/** A session can be validated and used for 24 h after its last requestToken. */
export const SESSION_LIFETIME_MS = 24 * 60 * 60 * 1000;
/** Sessions untouched this long are deleted by the cleanup job. */
export const SESSION_RETENTION_MS = 5 * SESSION_LIFETIME_MS;
/** Session ids are uniform in [0, 2^31], as Sydent draws them. */
export const MAX_SID = 2 ** 31;
/** Draws before giving up on finding a free session id (each collides with odds below 1 in 2^31 / sessions). */
const SID_ATTEMPTS = 10;

export interface SessionDeps {
  store: { sessions: SessionStore };
  clock: Clock;
  random: Random;
}

export type Medium = "email" | "msisdn";

const CLIENT_SECRET = /^[0-9a-zA-Z.=_-]{1,255}$/;

/** 1 to 255 of `[0-9a-zA-Z.=_-]`; unlike Sydent's check, a trailing newline is not accepted. */
export function isValidClientSecret(secret: unknown): secret is string {
  return typeof secret === "string" && CLIENT_SECRET.test(secret);
}

export const invalidClientSecret = (): MatrixError =>
  new MatrixError("M_INVALID_PARAM", "Invalid client_secret provided");

/**
 * A sid from a request: a JSON integer or a string of decimal digits, as SQLite's integer
 * affinity matches them in Sydent. Anything else names no session (`null`).
 */
export function parseSid(value: unknown): number | null {
  if (typeof value === "number") return Number.isSafeInteger(value) && value >= 0 ? value : null;
  if (typeof value !== "string" || !/^[0-9]{1,15}$/.test(value)) return null;
  return Number(value);
}

/**
 * The session for (medium, address, clientSecret), expired or validated alike, else a new one
 * with a fresh token; either way its lifetime starts again now.
 */
export async function getOrCreateSession(
  deps: SessionDeps,
  medium: Medium,
  address: string,
  clientSecret: string,
  newToken: () => string,
): Promise<TokenSession> {
  const sessions = deps.store.sessions;
  const now = deps.clock.now();
  const found = await sessions.find(medium, address, clientSecret);
  if (found) {
    await sessions.touch(found.sid, now);
    return { ...found, mtime: now };
  }
  const token = newToken();
  for (let attempt = 1; ; attempt++) {
    const sid = deps.random.int(MAX_SID);
    try {
      return await sessions.create({ sid, medium, address, clientSecret, token, now });
    } catch (err) {
      // A collision with an existing sid draws again; any other failure is a real one.
      if (attempt >= SID_ATTEMPTS || !(await sessions.get(sid))) throw err;
    }
  }
}

const expired = (session: ValidationSession, now: number): boolean =>
  session.mtime + SESSION_LIFETIME_MS < now;

/** The outcome of submitting a token, in the order Sydent checks. */
export type TokenCheck = "validated" | "unknown_sid" | "wrong_secret" | "expired" | "wrong_token";

/** Validates the session when the secret and token match and it has not expired (validating again succeeds). */
export async function submitToken(
  deps: SessionDeps,
  sid: unknown,
  clientSecret: string,
  token: unknown,
): Promise<TokenCheck> {
  const id = parseSid(sid);
  const session = id === null ? undefined : await deps.store.sessions.getWithToken(id);
  if (!session) return "unknown_sid";
  if (session.clientSecret !== clientSecret) return "wrong_secret";
  if (expired(session, deps.clock.now())) return "expired";
  if (session.token !== token) return "wrong_token";
  await deps.store.sessions.markValidated(session.sid);
  return "validated";
}

export type ValidatedSessionCheck =
  | { ok: true; session: ValidationSession }
  | { ok: false; reason: "no_session" | "expired" | "not_validated" };

/** The session behind (sid, clientSecret) if it is validated and not expired (§4.5), else why not. */
export async function checkValidatedSession(
  deps: SessionDeps,
  sid: unknown,
  clientSecret: string,
): Promise<ValidatedSessionCheck> {
  const id = parseSid(sid);
  const session = id === null ? undefined : await deps.store.sessions.get(id);
  if (!session || session.clientSecret !== clientSecret) return { ok: false, reason: "no_session" };
  if (expired(session, deps.clock.now())) return { ok: false, reason: "expired" };
  if (!session.validated) return { ok: false, reason: "not_validated" };
  return { ok: true, session };
}

export const sessionExpired = (): MatrixError =>
  new MatrixError("M_SESSION_EXPIRED", "This validation session has expired: call requestToken again");

/**
 * The validated session, or Sydent's errors for getValidated3pid and bind: 404 `M_NO_VALID_SESSION`,
 * 400 `M_SESSION_EXPIRED`, 400 `M_SESSION_NOT_VALIDATED`.
 */
export async function getValidatedSession(
  deps: SessionDeps,
  sid: unknown,
  clientSecret: string,
): Promise<ValidationSession> {
  const check = await checkValidatedSession(deps, sid, clientSecret);
  if (check.ok) return check.session;
  switch (check.reason) {
    case "no_session":
      throw new MatrixError(
        "M_NO_VALID_SESSION",
        "No valid session was found matching that sid and client secret",
      );
    case "expired":
      throw sessionExpired();
    case "not_validated":
      throw new MatrixError("M_SESSION_NOT_VALIDATED", "This validation session has not yet been completed");
  }
}
