// The storage contract: small role interfaces the domain builds every endpoint on, without SQL.
// One Kysely implementation (sql-store.ts) serves SQLite and PostgreSQL. Field names follow the
// spec; the tables underneath keep Sydent's columns. Timestamps are milliseconds except where a
// field says seconds (invites and ephemeral keys, as Sydent stores them).

/** A third-party identifier. Email addresses are case-folded by the domain before they get here. */
export interface Threepid {
  medium: string;
  address: string;
}

export interface ValidationSession {
  sid: number;
  medium: string;
  /** As submitted to requestToken (never case-folded). */
  address: string;
  clientSecret: string;
  validated: boolean;
  /** Creation or last requestToken time. */
  mtime: number;
}

export interface TokenSession extends ValidationSession {
  token: string;
  /** -1 until a message was sent. */
  sendAttemptNumber: number;
}

export interface NewSession {
  sid: number;
  medium: string;
  address: string;
  clientSecret: string;
  token: string;
  now: number;
}

export interface SessionStore {
  /** The session with its token for (medium, address, clientSecret), expired or validated alike. */
  find(medium: string, address: string, clientSecret: string): Promise<TokenSession | undefined>;
  /** Inserts the session (unvalidated, mtime = now) and its token (sendAttemptNumber -1). */
  create(session: NewSession): Promise<TokenSession>;
  touch(sid: number, mtime: number): Promise<void>;
  get(sid: number): Promise<ValidationSession | undefined>;
  getWithToken(sid: number): Promise<TokenSession | undefined>;
  markValidated(sid: number): Promise<void>;
  /** Stores the attempt on the session's own token row (Sydent's keyed the wrong row). */
  setSendAttemptNumber(sid: number, sendAttempt: number): Promise<void>;
  /** Remembers a next_link emailed for the session (once per distinct link). */
  addNextLink(sid: number, nextLink: string): Promise<void>;
  /** Whether `nextLink` was emailed for the session. */
  hasNextLink(sid: number, nextLink: string): Promise<boolean>;
  /** Deletes sessions with mtime < cutoff, then token rows and next links left without a session. Returns sessions deleted. */
  deleteOlderThan(cutoff: number): Promise<number>;
}

/** A row of this server's own bindings; a tombstone (removed binding) has mxid, notBefore, notAfter and lookupHash null. */
export interface LocalAssociation extends Threepid {
  id: number;
  mxid: string | null;
  ts: number | null;
  notBefore: number | null;
  notAfter: number | null;
  lookupHash: string | null;
}

export interface NewLocalAssociation extends Threepid {
  mxid: string;
  ts: number;
  notBefore: number;
  notAfter: number;
  lookupHash: string;
}

/** A row of the lookup table: own bindings and replicated ones. */
export interface GlobalAssociation extends Threepid {
  id: number;
  mxid: string;
  ts: number;
  notBefore: number;
  notAfter: number;
  originServer: string;
  originId: number;
  /** The signed association as JSON text, stored verbatim. */
  sgAssoc: string;
  lookupHash: string | null;
}

export type NewGlobalAssociation = Omit<GlobalAssociation, "id">;

export interface BulkMatch extends Threepid {
  mxid: string;
  /** When the binding was made: ranks matches whose stored addresses differ only in ASCII case. */
  ts: number;
}

export interface AssociationStore {
  /** INSERT OR REPLACE semantics: any row for the 3PID is replaced by a new row with a new, higher id. */
  upsertLocal(association: NewLocalAssociation): Promise<LocalAssociation>;
  /** Replaces the row with a tombstone (new id, ts = now) only if (medium, address, mxid) is bound. */
  tombstoneLocal(threepid: Threepid, mxid: string, now: number): Promise<LocalAssociation | undefined>;
  /** Local rows with id > afterId (null: all), ascending, at most `limit` when given. */
  localAfter(afterId: number | null, limit?: number): Promise<LocalAssociation[]>;
  /** How many local rows have id > afterId (null: all): how far behind a replication peer is. */
  countLocalAfter(afterId: number | null): Promise<number>;
  /**
   * Waits for, and holds until the surrounding transaction ends, the lock writers of local rows
   * take: copying local rows to the global table under it sees every row committed before it.
   */
  lockLocal(): Promise<void>;
  /** max(originId) (null when none) and count of the global rows from originServer. */
  originIdStats(originServer: string): Promise<{ max: number | null; count: number }>;
  /** INSERT OR IGNORE by (originServer, originId). Returns whether a row was inserted. */
  insertGlobal(association: NewGlobalAssociation): Promise<boolean>;
  /** Deletes every global row with exactly this medium and address, from any origin. */
  deleteGlobal(threepid: Threepid): Promise<number>;
  /** The newest (by ts) row valid at `now` whose address equals `address` under ASCII lower(). */
  lookup(threepid: Threepid, now: number): Promise<GlobalAssociation | undefined>;
  /** The mxid of `lookup`, for "is this 3PID bound?" checks. */
  boundMxid(threepid: Threepid, now: number): Promise<string | undefined>;
  /** One query: for each stored (medium, address) matching a query pair, the newest valid binding; ordered by medium, address. */
  bulkLookup(threepids: readonly Threepid[], now: number): Promise<BulkMatch[]>;
  /** One query: hash → mxid of the newest binding valid at `now` carrying that lookup_hash; misses omitted. */
  lookupHashes(hashes: readonly string[], now: number): Promise<Map<string, string>>;
}

export type LookupHashFunction = (address: string, medium: string, pepper: string) => string;

export interface HashingStore {
  getPepper(): Promise<string | undefined>;
  /** Stores the pepper and recomputes lookup_hash of every local and global row, atomically. */
  setPepperAndRehash(pepper: string, hash: LookupHashFunction): Promise<void>;
}

export interface Invite extends Threepid {
  id: number;
  roomId: string;
  sender: string;
  token: string;
  /** Seconds. */
  receivedTs: number | null;
  /** Seconds; null until delivered. */
  sentTs: number | null;
}

export interface NewInvite extends Threepid {
  roomId: string;
  sender: string;
  token: string;
  ephemeralPublicKey: string;
  /** Seconds; also the ephemeral key's persistence time. */
  receivedTs: number;
  /** Milliseconds: when the invitation and its ephemeral key lapse. */
  expiresAt: number;
}

/**
 * What decides whether an invitation (and its ephemeral key) is still valid: one stored by Cairn
 * until its own `expiresAt`; one stored by Sydent (no expiry of its own) until `legacyLifetimeMs`
 * after it was received (its key: after the key's persistence time). No timestamp: expired.
 */
export interface InviteValidity {
  /** Milliseconds. */
  now: number;
  legacyLifetimeMs: number;
}

export interface ListedInvite extends Invite {
  /** Milliseconds; null for an invitation Sydent stored. */
  expiresAt: number | null;
  /** The ephemeral public key, when Cairn stored the invitation and the key still exists. */
  publicKey: string | null;
  /** How often `pubkey/ephemeral/isvalid` found that key valid (Sydent's verify_count). */
  keyChecks: number | null;
}

export interface InviteFilter {
  /** Exact (already case-folded) address. */
  address?: string;
  roomId?: string;
  /** Tokens starting with these letters (case-sensitive). */
  tokenPrefix?: string;
}

export interface InviteStore {
  /** Stores the ephemeral public key, the invite token and the link between them, atomically. */
  add(invite: NewInvite): Promise<void>;
  /** Valid invites for the 3PID not yet delivered (sent_ts null), in insertion order. */
  pending(threepid: Threepid, validity: InviteValidity): Promise<Invite[]>;
  /** Sets sent_ts (seconds) on every invite for the 3PID. */
  markSent(threepid: Threepid, sentTs: number): Promise<void>;
  deleteFor(threepid: Threepid): Promise<number>;
  /** Deletes the invites with these tokens (a delivered onbind's); returns how many. */
  deleteTokens(tokens: readonly string[]): Promise<number>;
  /** The sender of the valid invite with this token (delivered or not). */
  senderForToken(token: string, validity: InviteValidity): Promise<string | undefined>;
  /** Whether the ephemeral key exists and is valid; a check that finds it valid is counted (verify_count). */
  checkEphemeralKey(publicKey: string, validity: InviteValidity): Promise<boolean>;
  /** Every invite (valid or not) matching the filter, in insertion order. */
  list(filter: InviteFilter): Promise<ListedInvite[]>;
  /**
   * Deletes the invite(s) with this token and, when Cairn stored them, their ephemeral key, at
   * once. Returns the number of invites deleted.
   */
  revoke(token: string): Promise<number>;
  /** Deletes expired invites and ephemeral keys (and their links); returns how many of each. */
  deleteExpired(validity: InviteValidity): Promise<{ invites: number; keys: number }>;
}

export interface Account {
  userId: string;
  createdTs: number;
  consentVersion: string | null;
}

export interface AccountStore {
  /** INSERT OR IGNORE: an existing account keeps its creation time. */
  addAccount(userId: string, createdTs: number): Promise<void>;
  addToken(userId: string, token: string): Promise<void>;
  /** The account owning a token stored in any of these forms (one query). */
  accountForToken(...storedForms: string[]): Promise<Account | undefined>;
  /** Deletes the token stored in any of these forms; returns whether one was deleted. */
  deleteToken(...storedForms: string[]): Promise<boolean>;
  /** In no particular order. */
  acceptedTermsUrls(userId: string): Promise<string[]>;
  /** INSERT OR IGNORE of each URL. */
  addAcceptedTermsUrls(userId: string, urls: readonly string[]): Promise<void>;
  setConsentVersion(userId: string, version: string): Promise<void>;
}

export interface Peer {
  name: string;
  port: number | null;
  /** Id of the last of our local rows the peer accepted; null = nothing yet. */
  lastSentVersion: number | null;
  lastPokeSucceededAt: number | null;
  active: boolean;
  /** Public keys by algorithm (e.g. `ed25519`), as stored. */
  publicKeys: Record<string, string>;
}

export interface NewPeer {
  name: string;
  port: number | null;
  active: boolean;
  publicKeys: Record<string, string>;
}

export interface PeerStore {
  /** Active peers that have at least one public key (Sydent ignores the others). */
  activePeers(): Promise<Peer[]>;
  activePeer(name: string): Promise<Peer | undefined>;
  updateProgress(name: string, lastSentVersion: number, lastPokeSucceededAt: number): Promise<void>;
  /** Adds a peer with its keys; fails if the name exists. */
  add(peer: NewPeer): Promise<void>;
  /** Removes a peer and its keys; returns whether it existed. */
  remove(name: string): Promise<boolean>;
  /** Every peer, active or not, with or without keys, by name. */
  list(): Promise<Peer[]>;
}

export interface LeaseStore {
  /**
   * Takes (or renews) the named lease for `holder` until `now + ttlMs` if it is free, expired or
   * already held by `holder`. Returns whether `holder` now holds it. Atomic across processes.
   */
  tryAcquire(name: string, holder: string, now: number, ttlMs: number): Promise<boolean>;
  /** Gives the lease up if `holder` holds it. */
  release(name: string, holder: string): Promise<void>;
}

/** A bind notification waiting for delivery to a homeserver (`POST /3pid/onbind`). */
export interface OnbindNotification {
  id: number;
  /** The server name of the bound mxid. */
  destination: string;
  /** The JSON body to POST, as text. */
  body: string;
  /** Milliseconds, as is nextAttemptTs. */
  createdTs: number;
  nextAttemptTs: number;
  /** Failed attempts so far. */
  attempts: number;
  lastError: string | null;
}

export interface NewOnbindNotification {
  destination: string;
  body: string;
  /** Milliseconds: the notification is due at once. */
  now: number;
}

export interface OnbindStore {
  enqueue(notification: NewOnbindNotification): Promise<OnbindNotification>;
  /**
   * Claims up to `limit` notifications due at `now` (earliest due first) by moving their next
   * attempt to `claimUntil`, in one statement: instances sharing the database never claim the
   * same row at once, and a claim left by a crashed process lapses at `claimUntil`.
   */
  claimDue(now: number, limit: number, claimUntil: number): Promise<OnbindNotification[]>;
  /** Deletes a delivered notification. Returns whether it was still queued. */
  markDelivered(id: number): Promise<boolean>;
  /** Counts a failed attempt and sets the next one. */
  reschedule(id: number, nextAttemptTs: number, lastError: string): Promise<void>;
  /**
   * Deletes a notification that will not be delivered; returns it for the log, this last failed
   * attempt counted in `attempts` and `lastError`. Undefined when it was no longer queued.
   */
  giveUp(id: number, lastError: string): Promise<OnbindNotification | undefined>;
  /** How many notifications are queued. */
  depth(): Promise<number>;
}

export interface StoreRoles {
  readonly sessions: SessionStore;
  readonly associations: AssociationStore;
  readonly hashing: HashingStore;
  readonly invites: InviteStore;
  readonly accounts: AccountStore;
  readonly peers: PeerStore;
  readonly leases: LeaseStore;
  readonly onbind: OnbindStore;
}

export interface Transactional extends StoreRoles {
  /**
   * Runs fn with a view bound to one transaction: committed when fn resolves, rolled back when it
   * throws. Called on a view that is already in a transaction, fn joins that transaction.
   */
  transaction<T>(fn: (tx: Transactional) => Promise<T>): Promise<T>;
}

export type Engine = "sqlite" | "postgres";

/** Connections of a PostgreSQL pool, for the `cairn_db_pool_connections` gauge. */
export interface PoolState {
  total: number;
  idle: number;
  /** Queries waiting for a connection. */
  waiting: number;
}

export interface Store extends Transactional {
  readonly engine: Engine;
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
  /** The pool's connections now; null on SQLite (one connection, always open). */
  connections(): PoolState | null;
  close(): Promise<void>;
}
