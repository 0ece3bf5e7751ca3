// Email validation sessions: requestToken mails a 32-character token and a link to the GET
// submitToken page (behaviour §1.7, §4.3, §4.7).
import { ALPHANUMERIC } from "../crypto/random.js";
import { MatrixError } from "../errors.js";
import { EmailSendError, type Mailer } from "../senders/types.js";
import { nextLinkWithSid, pythonQuote, usableNextLink } from "./next-link.js";
import { getOrCreateSession, type SessionDeps } from "./sessions.js";

export const EMAIL_TOKEN_LENGTH = 32;
/** Sydent's bound on the length of an address (in characters). */
export const MAX_EMAIL_LENGTH = 500;
/** The emailed link always points at the v1 path, as Sydent's does. */
export const EMAIL_SUBMIT_PATH = "/_matrix/identity/api/v1/validate/email/submitToken";

export interface EmailSessionDeps extends SessionDeps {
  mailer: Mailer;
  /** `[http] client_http_base`: prefixed to the emailed link (empty: a relative link, as Sydent). */
  clientHttpBase: string;
}

export interface EmailTokenRequest {
  /** Used as given, for the session and as the recipient. */
  email: string;
  clientSecret: string;
  sendAttempt: number;
  nextLink: string | undefined;
  /** Shown in the email; `null` when unknown. */
  clientIp: string | null;
  brand: string | undefined;
}

/** Whether an address has Sydent's accepted length (1 to 500 characters). */
export function hasValidEmailLength(email: string): boolean {
  const length = [...email].length;
  return length > 0 && length <= MAX_EMAIL_LENGTH;
}

/** The link in the verification email; `nextLink` already carries the sid. */
export function validationLink(
  base: string,
  session: { sid: number; token: string },
  clientSecret: string,
  nextLink: string | undefined,
): string {
  const link = `${base}${EMAIL_SUBMIT_PATH}?token=${pythonQuote(session.token)}&client_secret=${pythonQuote(clientSecret)}&sid=${session.sid}`;
  return nextLink === undefined ? link : `${link}&nextLink=${pythonQuote(nextLink)}`;
}

/**
 * Finds or creates the session and, for any `send_attempt` of 0 or more, (re)sends the
 * verification email with the session's token, as Sydent does. Returns the sid.
 * Throws `M_INVALID_EMAIL` (address refused; the session stays) or 500 `M_EMAIL_SEND_ERROR`
 * (SMTP failed; the session stays and a later requestToken sends again).
 */
export async function requestEmailToken(deps: EmailSessionDeps, request: EmailTokenRequest): Promise<number> {
  const session = await getOrCreateSession(deps, "email", request.email, request.clientSecret, () =>
    deps.random.string(EMAIL_TOKEN_LENGTH, ALPHANUMERIC),
  );
  // Sydent compares with a stored attempt that always reads -1 (it writes the wrong row), so every
  // attempt >= 0 sends; clients and matrix-is-tester rely on that. The attempt is stored anyway.
  if (request.sendAttempt < 0) return session.sid;

  const given = usableNextLink(request.nextLink);
  const nextLink = given === undefined ? undefined : nextLinkWithSid(given, session.sid);
  if (nextLink !== undefined) await deps.store.sessions.addNextLink(session.sid, nextLink);
  try {
    await deps.mailer.send({
      template: "verification_template.eml",
      brand: request.brand,
      to: request.email,
      vars: {
        ipaddress: request.clientIp ?? "an unknown location",
        link: validationLink(deps.clientHttpBase, session, request.clientSecret, nextLink),
        token: session.token,
      },
    });
  } catch (err) {
    if (err instanceof EmailSendError) throw new MatrixError("M_EMAIL_SEND_ERROR", "Failed to send email");
    throw err;
  }
  await deps.store.sessions.setSendAttemptNumber(session.sid, request.sendAttempt);
  return session.sid;
}
