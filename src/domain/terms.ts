// Terms of service (behaviour §9.2): the documents users must accept, what clients are shown, and
// when an account counts as having consented. A user consents to the terms' `master_version` once
// every document has at least one of its language versions accepted; accepted URLs accumulate
// over any number of calls.
import { MatrixError } from "../errors.js";
import type { AccountStore } from "../store/store.js";

export interface TermsLanguage {
  name: string;
  url: string;
}

export interface TermsDocument {
  version: string;
  /** By language code, in file order. */
  langs: ReadonlyMap<string, TermsLanguage>;
}

export interface Terms {
  masterVersion: string;
  /** By document name, in file order. */
  docs: ReadonlyMap<string, TermsDocument>;
}

/** The terms in force; `null` when none are configured (nothing is gated). */
export interface TermsProvider {
  current(): Promise<Terms | null>;
}

export const noTerms: TermsProvider = { current: async () => null };

export type Policies = Record<string, Record<string, string | TermsLanguage>>;

/** The `policies` object of `GET /terms`: `{doc: {version, <lang>: {name, url}}}`, in file order. */
export function policiesOf(terms: Terms | null): Policies {
  // Null prototypes: document and language names come from the file and may be any string.
  const policies = Object.create(null) as Policies;
  for (const [name, doc] of terms?.docs ?? []) {
    const policy = Object.create(null) as Record<string, string | TermsLanguage>;
    policy["version"] = doc.version;
    for (const [lang, { name: title, url }] of doc.langs) policy[lang] = { name: title, url };
    policies[name] = policy;
  }
  return policies;
}

function urlsOf(terms: Terms | null): Set<string> {
  const urls = new Set<string>();
  for (const doc of terms?.docs.values() ?? []) for (const lang of doc.langs.values()) urls.add(lang.url);
  return urls;
}

/** Whether every document has at least one language whose URL is in `accepted`. */
export function coversEveryDocument(terms: Terms, accepted: ReadonlySet<string>): boolean {
  return [...terms.docs.values()].every((doc) => [...doc.langs.values()].some((l) => accepted.has(l.url)));
}

/** Whether `consentVersion` (an account's) satisfies the terms in force. */
export function hasConsented(terms: Terms | null, consentVersion: string | null): boolean {
  return terms === null || consentVersion === terms.masterVersion;
}

/**
 * `POST /terms`: records the URLs the user accepts (all must be URLs of the current terms), then
 * gives the account the terms' master version if its accepted URLs now cover every document.
 * Also re-evaluates consent when nothing new is accepted, so that a user whose stored URLs still
 * cover a new master version regains access with any call.
 */
export async function acceptTerms(
  accounts: AccountStore,
  terms: Terms | null,
  userId: string,
  urls: readonly string[],
): Promise<void> {
  const known = urlsOf(terms);
  const unknown = [...new Set(urls)].filter((url) => !known.has(url));
  if (unknown.length > 0) {
    throw new MatrixError("M_UNKNOWN", `Unrecognised URLs: ${unknown.join(", ")}`, { status: 400 });
  }
  // With no terms there is nothing to consent to: the account is left as it is (Sydent writes a
  // NULL consent version, which only matters if the same master version is configured again).
  if (terms === null) return;
  await accounts.addAcceptedTermsUrls(userId, urls);
  const accepted = new Set(await accounts.acceptedTermsUrls(userId));
  if (coversEveryDocument(terms, accepted)) await accounts.setConsentVersion(userId, terms.masterVersion);
}
