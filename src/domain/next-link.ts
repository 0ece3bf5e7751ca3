// Where a person lands after clicking the emailed link (or opening the SMS page): the `next_link`
// given at requestToken. Sydent redirects to whatever the GET request names (an open redirect for
// anyone holding a valid token) and refuses only `file:///`. Cairn keeps http(s) links only, and
// redirects only to a link that was given for that very session at requestToken.
import type { SessionStore } from "../store/store.js";

/** A next_link worth keeping: an absolute http(s) URL; anything else is ignored, as Sydent ignores `file:///`. */
export function usableNextLink(nextLink: string | undefined): string | undefined {
  if (!nextLink || /\p{Cs}/u.test(nextLink)) return undefined;
  let url: URL;
  try {
    url = new URL(nextLink);
  } catch {
    return undefined;
  }
  return url.protocol === "https:" || url.protocol === "http:" ? nextLink : undefined;
}

/** The emailed next link carries the sid (clients learn it only from the response, after the mail went out). */
export function nextLinkWithSid(nextLink: string, sid: number): string {
  return `${nextLink}${nextLink.includes("?") ? "&" : "?"}sid=${sid}`;
}

/**
 * The `Location` for a successful GET submitToken: the requested link if it is usable and was
 * given for this session, else `undefined` (the page is shown without a redirect).
 */
export async function redirectTarget(
  sessions: SessionStore,
  sid: number,
  requested: string | undefined,
): Promise<string | undefined> {
  const link = usableNextLink(requested);
  if (link === undefined || !(await sessions.hasNextLink(sid, link))) return undefined;
  // A header value must be printable ASCII; the URL's own serialisation is, and means the same.
  return /^[\x21-\x7e]+$/.test(link) ? link : new URL(link).href;
}

/** Python's `urllib.parse.quote(s)`: percent-encodes UTF-8, leaving `A-Za-z0-9_.-~/` alone. */
export function pythonQuote(s: string): string {
  return encodeURIComponent(s)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%2F/g, "/");
}
