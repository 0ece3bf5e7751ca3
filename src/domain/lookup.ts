// Lookups: which Matrix ID a third-party identifier is bound to, by every path clients use. v1
// answers one 3PID with its signed association, or many as [medium, address, mxid] triples; v2
// answers hashes (sha256) or plain "address medium" strings against the in-memory pepper. Each
// request is ONE store query whatever its size, and the newest valid binding always wins.
import type { Clock } from "../clock.js";
import { asciiLower } from "../crypto/casefold.js";
import { signJson } from "../crypto/signed-json.js";
import type { SigningKey } from "../crypto/signing-key.js";
import { MatrixError } from "../errors.js";
import type { AssociationStore, BulkMatch, Threepid } from "../store/store.js";

export interface LookupDeps {
  associations: Pick<AssociationStore, "lookup" | "bulkLookup" | "lookupHashes">;
  clock: Clock;
  serverName: string;
  serverKey: SigningKey;
  pepper: string;
  /** `[general] address_lookup_limit`: most entries one batch may carry. */
  addressLookupLimit: number;
}

/** What `hash_details` offers, in Sydent's order. */
export const LOOKUP_ALGORITHMS = ["sha256", "none"] as const;

export type LookupAlgorithm = (typeof LOOKUP_ALGORITHMS)[number];

export interface HashDetails {
  algorithms: readonly LookupAlgorithm[];
  lookup_pepper: string;
}

export interface HashedLookupRequest {
  addresses: readonly unknown[];
  algorithm: unknown;
  pepper: unknown;
}

/** A v1 bulk answer: medium and address as queried, and the Matrix ID. */
export type BulkAnswer = [medium: string, address: string, mxid: string];

/** A lookup hash as clients send it: 43 characters of unpadded base64url (a SHA-256 digest). */
const HASH = /^[A-Za-z0-9_-]{43}$/;

/** The whitespace Python's str.split() splits on, which Sydent uses to cut "address medium". */
// eslint-disable-next-line no-control-regex -- Python counts U+001C..U+001F as whitespace
const PYTHON_WHITESPACE = /[\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;

/**
 * The signed association of the newest binding valid now, or `{}`. A row that lacks our signature
 * (replicated from a peer) is countersigned by us, next to the original signatures.
 */
export async function lookupThreepid(deps: LookupDeps, threepid: Threepid): Promise<Record<string, unknown>> {
  const row = await deps.associations.lookup(threepid, deps.clock.now());
  if (row === undefined) return {};
  const association = JSON.parse(row.sgAssoc) as Record<string, unknown>;
  const signatures = association["signatures"];
  const signedByUs =
    typeof signatures === "object" && signatures !== null && Object.hasOwn(signatures, deps.serverName);
  return signedByUs ? association : signJson(association, deps.serverName, deps.serverKey);
}

/**
 * The bound pairs among `threepids`, each once, ordered by medium then address. Medium and address
 * are echoed as queried (Sydent answered the stored, case-folded spelling, which a client cannot
 * match against what it asked).
 */
export async function bulkLookup(deps: LookupDeps, threepids: readonly Threepid[]): Promise<BulkAnswer[]> {
  checkLimit(deps, threepids.length);
  const queried = new ThreepidMap<Threepid>();
  for (const threepid of threepids) queried.set(threepid.medium, threepid.address, threepid);
  const bound = await newestBindings(deps, [...queried.values()]);
  const answers: BulkAnswer[] = [];
  for (const { medium, address } of queried.values()) {
    const match = bound.get(medium, asciiLower(address));
    if (match !== undefined) answers.push([medium, address, match.mxid]);
  }
  return answers.sort(byMediumThenAddress);
}

export function hashDetails(pepper: string): HashDetails {
  return { algorithms: LOOKUP_ALGORITHMS, lookup_pepper: pepper };
}

/**
 * The v2 lookup: `mappings` from each matched entry (the hash for sha256, the "address medium"
 * string as sent for none) to its Matrix ID; unmatched entries are left out. Checks run in
 * Sydent's order: algorithm, batch size, pepper, then the entries.
 */
export async function hashedLookup(
  deps: LookupDeps,
  request: HashedLookupRequest,
): Promise<Record<string, string>> {
  const { addresses, algorithm, pepper } = request;
  if (algorithm !== "sha256" && algorithm !== "none") {
    throw new MatrixError("M_INVALID_PARAM", "algorithm is not supported");
  }
  checkLimit(deps, addresses.length);
  if (pepper !== deps.pepper) {
    throw new MatrixError("M_INVALID_PEPPER", `pepper does not match '${deps.pepper}'`, {
      extra: { algorithm, lookup_pepper: deps.pepper },
    });
  }
  return algorithm === "sha256" ? lookupHashes(deps, addresses) : lookupPlain(deps, addresses);
}

function checkLimit(deps: LookupDeps, count: number): void {
  if (count > deps.addressLookupLimit) {
    throw new MatrixError("M_TOO_LARGE", "More than the maximum amount of addresses provided");
  }
}

/**
 * Entries that are not well-formed hashes cannot match any stored hash: they are misses, like
 * unknown hashes, and never reach the database.
 */
async function lookupHashes(deps: LookupDeps, entries: readonly unknown[]): Promise<Record<string, string>> {
  const hashes = new Set<string>();
  for (const entry of entries) if (typeof entry === "string" && HASH.test(entry)) hashes.add(entry);
  const mappings: Record<string, string> = Object.create(null);
  if (hashes.size === 0) return mappings;
  for (const [hash, mxid] of await deps.associations.lookupHashes([...hashes], deps.clock.now())) {
    mappings[hash] = mxid;
  }
  return mappings;
}

/**
 * Keys are the entries as sent, as the spec says (unlike Sydent, which rebuilt them from the stored
 * address, so that `BOB@example.com email` came back keyed `bob@example.com email`).
 */
async function lookupPlain(deps: LookupDeps, entries: readonly unknown[]): Promise<Record<string, string>> {
  const queried = new Map<string, Threepid>();
  for (const entry of entries) {
    if (typeof entry !== "string") throw invalidPair(JSON.stringify(entry));
    if (!queried.has(entry)) queried.set(entry, parsePlainEntry(entry));
  }
  const bound = await newestBindings(deps, [...queried.values()]);
  const mappings: Record<string, string> = Object.create(null);
  for (const [entry, { medium, address }] of queried) {
    const match = bound.get(medium, asciiLower(address));
    if (match !== undefined) mappings[entry] = match.mxid;
  }
  return mappings;
}

/** "address medium": exactly two tokens separated by whitespace, as Python's split() finds them. */
function parsePlainEntry(entry: string): Threepid {
  const tokens = entry.split(PYTHON_WHITESPACE).filter((token) => token !== "");
  const [address, medium] = tokens;
  if (tokens.length !== 2 || address === undefined || medium === undefined) throw invalidPair(entry);
  return { medium, address };
}

const invalidPair = (shown: string): MatrixError =>
  new MatrixError("M_UNKNOWN", `Invalid "address medium" pair: "${shown}"`, { status: 400 });

/**
 * One store query for all `threepids`: the newest valid binding for each (medium, ASCII-lower
 * address). Stored spellings differing in ASCII case (rows Sydent wrote before it case-folded)
 * count as one 3PID, as in the single lookup.
 */
async function newestBindings(deps: LookupDeps, threepids: Threepid[]): Promise<ThreepidMap<BulkMatch>> {
  const newest = new ThreepidMap<BulkMatch>();
  if (threepids.length === 0) return newest;
  for (const match of await deps.associations.bulkLookup(threepids, deps.clock.now())) {
    const lower = asciiLower(match.address);
    const known = newest.get(match.medium, lower);
    if (known === undefined || match.ts > known.ts) newest.set(match.medium, lower, match);
  }
  return newest;
}

/** A map keyed by (medium, address) without joining them into one string (no ambiguity possible). */
class ThreepidMap<V> {
  private readonly byMedium = new Map<string, Map<string, V>>();

  get(medium: string, address: string): V | undefined {
    return this.byMedium.get(medium)?.get(address);
  }

  set(medium: string, address: string, value: V): void {
    let addresses = this.byMedium.get(medium);
    if (addresses === undefined) this.byMedium.set(medium, (addresses = new Map()));
    addresses.set(address, value);
  }

  *values(): IterableIterator<V> {
    for (const addresses of this.byMedium.values()) yield* addresses.values();
  }
}

function byMediumThenAddress(a: BulkAnswer, b: BulkAnswer): number {
  return compare(a[0], b[0]) || compare(a[1], b[1]);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
