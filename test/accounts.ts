// Accounts for HTTP tests: created through the real domain code, as registration creates them.
import { issueToken } from "../src/domain/accounts.js";
import type { Deps } from "../src/deps.js";
import { registerSecrets } from "./log-secrets.js";

/** Creates (or reuses) the account and returns a new access token for it. */
export async function userToken(
  deps: Pick<Deps, "store" | "random" | "clock">,
  userId: string,
  consentVersion?: string,
): Promise<string> {
  const token = await issueToken(deps.store.accounts, deps.random, userId, deps.clock.now());
  registerSecrets(token);
  if (consentVersion !== undefined) await deps.store.accounts.setConsentVersion(userId, consentVersion);
  return token;
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
