// v2 accounts and their access tokens (behaviour §9.3), and the bearer-token check every
// authenticated v2 route runs (§0.6).
//
// Tokens are 64 characters of [0-9A-Za-z] from the CSPRNG, as Sydent's. Sydent stores them in
// clear; Cairn stores new ones only as `cairn-sha256:<base64url(sha256(token))>`, so a copy of the
// database does not hand out working tokens, and still accepts the clear tokens a Sydent database
// holds: a token is looked up in both forms in one query. Consequence: going back to Sydent logs
// out every user whose token Cairn issued (their client registers again).
import { createHash } from "node:crypto";
import { encodeBase64Url } from "../crypto/base64.js";
import { ALPHANUMERIC, type Random } from "../crypto/random.js";
import { MatrixError } from "../errors.js";
import type { Authenticator } from "../http/auth.js";
import type { AccountStore } from "../store/store.js";
import { hasConsented, type TermsProvider } from "./terms.js";

export const TOKEN_LENGTH = 64;
export const HASHED_TOKEN_PREFIX = "cairn-sha256:";

/** The form a token issued by Cairn is stored in. */
export function hashedToken(token: string): string {
  return HASHED_TOKEN_PREFIX + encodeBase64Url(createHash("sha256").update(token, "utf8").digest());
}

/**
 * The stored forms a presented token may have: hashed (Cairn) and clear (Sydent). A value that
 * itself looks hashed is only ever hashed, so a leaked stored hash is not a working token.
 */
export function storedForms(token: string): string[] {
  const hashed = hashedToken(token);
  return token.startsWith(HASHED_TOKEN_PREFIX) ? [hashed] : [hashed, token];
}

const unauthorized = () => new MatrixError("M_UNAUTHORIZED", "Unauthorized");

/** The Authenticator over the accounts table and the terms in force. */
export function accountAuthenticator(accounts: AccountStore, terms: TermsProvider): Authenticator {
  return {
    async authenticate(token, requireTerms) {
      if (token === undefined || token === "") throw unauthorized();
      const account = await accounts.accountForToken(...storedForms(token));
      if (!account) throw unauthorized();
      if (requireTerms && !hasConsented(await terms.current(), account.consentVersion)) {
        throw new MatrixError("M_TERMS_NOT_SIGNED", "Terms not signed");
      }
      return account.userId;
    },
  };
}

/**
 * Creates the account for `userId` if it is new (an existing one keeps its consent) and issues it
 * a new token; earlier tokens stay valid. Returns the token in clear, the only time it exists so.
 */
export async function issueToken(
  accounts: AccountStore,
  random: Random,
  userId: string,
  now: number,
): Promise<string> {
  const token = random.string(TOKEN_LENGTH, ALPHANUMERIC);
  await accounts.addAccount(userId, now);
  await accounts.addToken(userId, hashedToken(token));
  return token;
}

/**
 * `POST /account/logout`: forgets the token. No token is 401 M_UNAUTHORIZED, as for any
 * authenticated call; a token the server does not know is 401 M_UNKNOWN_TOKEN, as the spec says
 * for this endpoint (Sydent answers M_UNAUTHORIZED from its auth check).
 */
export async function logout(accounts: AccountStore, token: string | undefined): Promise<void> {
  if (token === undefined || token === "") throw unauthorized();
  if (!(await accounts.deleteToken(...storedForms(token)))) {
    throw new MatrixError("M_UNKNOWN_TOKEN", "Unknown token");
  }
}
