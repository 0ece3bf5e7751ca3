// Sydent's SQLite schema history, statement for statement. SQLite stores each CREATE statement's
// text (from the object name on) in sqlite_master, and Sydent (and its scripts) must still be able
// to open the file, so this DDL is reproduced byte for byte, in Sydent's order: the four version-0
// scripts (replayed whenever PRAGMA user_version is 0; all IF NOT EXISTS), then steps 1..5.

/** The version-0 scripts, in the order Sydent ran them on a fresh database. */
export const sydentV0Scripts: readonly string[] = [
  // invite_tokens.sql
  `CREATE TABLE IF NOT EXISTS invite_tokens (
    id integer primary key,
    medium varchar(16) not null,
    address varchar(256) not null,
    room_id varchar(256) not null,
    sender varchar(256) not null,
    token varchar(256) not null,
    received_ts bigint, -- When the invite was received by us from the homeserver
    sent_ts bigint -- When the token was sent by us to the user
);
CREATE INDEX IF NOT EXISTS invite_token_medium_address on invite_tokens(medium, address);
CREATE INDEX IF NOT EXISTS invite_token_token on invite_tokens(token);

CREATE TABLE IF NOT EXISTS ephemeral_public_keys(
    id integer primary key,
    public_key varchar(256) not null,
    verify_count bigint default 0,
    persistence_ts bigint
);

CREATE UNIQUE INDEX IF NOT EXISTS ephemeral_public_keys_index on ephemeral_public_keys(public_key);
`,
  // threepid_validation.sql
  `CREATE TABLE IF NOT EXISTS threepid_validation_sessions (id integer primary key, medium varchar(16) not null, address varchar(256) not null, clientSecret varchar(32) not null, validated int default 0, mtime bigint not null);
CREATE TABLE IF NOT EXISTS threepid_token_auths (id integer primary key, validationSession integer not null, token varchar(32) not null, sendAttemptNumber integer not null, foreign key (validationSession) references threepid_validations(id));
`,
  // threepid_associations.sql (the version-0 shapes, rebuilt by step 1)
  `CREATE TABLE IF NOT EXISTS local_threepid_associations (id integer primary key, medium varchar(16) not null, address varchar(256) not null, mxid varchar(256) not null, ts integer not null, notBefore bigint not null, notAfter bigint not null);
CREATE UNIQUE INDEX IF NOT EXISTS medium_address on local_threepid_associations(medium, address);

CREATE TABLE IF NOT EXISTS global_threepid_associations (id integer primary key, medium varchar(16) not null, address varchar(256) not null, mxid varchar(256) not null, ts integer not null, notBefore bigint not null, notAfter integer not null, originServer varchar(255) not null, originId integer not null, sgAssoc text not null);
CREATE INDEX IF NOT EXISTS medium_address on global_threepid_associations (medium, address);
CREATE INDEX IF NOT EXISTS medium_lower_address on global_threepid_associations (medium, lower(address));
CREATE UNIQUE INDEX IF NOT EXISTS originServer_originId on global_threepid_associations (originServer, originId);
`,
  // peers.sql
  `CREATE TABLE IF NOT EXISTS peers (id integer primary key, name varchar(255) not null, port integer default null, lastSentVersion integer, lastPokeSucceededAt integer, active integer not null default 0);
CREATE UNIQUE INDEX IF NOT EXISTS name on peers(name);
CREATE TABLE IF NOT EXISTS peer_pubkeys (id integer primary key, peername varchar(255) not null, alg varchar(16) not null, key text not null, foreign key (peername) references peers (name));
CREATE UNIQUE INDEX IF NOT EXISTS peername_alg on peer_pubkeys(peername, alg);
`,
];

/** Steps 1..5: index i takes the database from user_version i to i + 1. */
export const sydentSteps: readonly (readonly string[])[] = [
  // → 1: AUTOINCREMENT ids (never reused: the local id is the replication sequence number) and
  // nullable local columns for unbind tombstones. Rows are copied without their ids (renumbered).
  [
    "DROP INDEX IF EXISTS medium_address",
    "DROP INDEX IF EXISTS local_threepid_medium_address",
    "ALTER TABLE local_threepid_associations RENAME TO old_local_threepid_associations",
    "CREATE TABLE local_threepid_associations (id integer primary key autoincrement, " +
      "medium varchar(16) not null, " +
      "address varchar(256) not null, " +
      "mxid varchar(256), " +
      "ts integer, " +
      "notBefore bigint, " +
      "notAfter bigint)",
    "INSERT INTO local_threepid_associations (medium, address, mxid, ts, notBefore, notAfter) " +
      "SELECT medium, address, mxid, ts, notBefore, notAfter FROM old_local_threepid_associations",
    "CREATE UNIQUE INDEX local_threepid_medium_address on local_threepid_associations(medium, address)",
    "DROP TABLE old_local_threepid_associations",
    "DROP INDEX IF EXISTS global_threepid_medium_address",
    "DROP INDEX IF EXISTS global_threepid_medium_lower_address",
    "DROP INDEX IF EXISTS global_threepid_originServer_originId",
    "DROP INDEX IF EXISTS medium_lower_address",
    "DROP INDEX IF EXISTS threepid_originServer_originId",
    "ALTER TABLE global_threepid_associations RENAME TO old_global_threepid_associations",
    "CREATE TABLE IF NOT EXISTS global_threepid_associations " +
      "(id integer primary key autoincrement, " +
      "medium varchar(16) not null, " +
      "address varchar(256) not null, " +
      "mxid varchar(256) not null, " +
      "ts integer not null, " +
      "notBefore bigint not null, " +
      "notAfter integer not null, " +
      "originServer varchar(255) not null, " +
      "originId integer not null, " +
      "sgAssoc text not null)",
    "INSERT INTO global_threepid_associations " +
      "(medium, address, mxid, ts, notBefore, notAfter, originServer, originId, sgAssoc) " +
      "SELECT medium, address, mxid, ts, notBefore, notAfter, originServer, originId, sgAssoc " +
      "FROM old_global_threepid_associations",
    "CREATE INDEX global_threepid_medium_address on global_threepid_associations (medium, address)",
    "CREATE INDEX global_threepid_medium_lower_address on global_threepid_associations (medium, lower(address))",
    "CREATE UNIQUE INDEX global_threepid_originServer_originId on " +
      "global_threepid_associations (originServer, originId)",
    "DROP TABLE old_global_threepid_associations",
  ],
  // → 2: find expired sessions by mtime.
  ["CREATE INDEX threepid_validation_sessions_mtime ON threepid_validation_sessions(mtime)"],
  // → 3: hashed lookups (MSC2134).
  [
    "ALTER TABLE local_threepid_associations ADD COLUMN lookup_hash VARCHAR(256)",
    "ALTER TABLE global_threepid_associations ADD COLUMN lookup_hash VARCHAR(256)",
    "CREATE INDEX IF NOT EXISTS lookup_hash_medium on global_threepid_associations (lookup_hash, medium)",
    "CREATE TABLE IF NOT EXISTS hashing_metadata (id integer primary key, lookup_pepper varchar(256))",
  ],
  // → 4: v2 accounts and terms.
  [
    "CREATE TABLE accounts(user_id TEXT NOT NULL PRIMARY KEY, created_ts BIGINT NOT NULL, consent_version TEXT)",
    "CREATE TABLE tokens(token TEXT NOT NULL PRIMARY KEY, user_id TEXT NOT NULL)",
    "CREATE TABLE accepted_terms_urls(user_id TEXT NOT NULL, url TEXT NOT NULL)",
    "CREATE UNIQUE INDEX accepted_terms_urls_idx ON accepted_terms_urls (user_id, url)",
  ],
  // → 5: hashed lookups select by hash alone.
  [
    "DROP INDEX IF EXISTS lookup_hash_medium",
    "CREATE INDEX global_threepid_lookup_hash ON global_threepid_associations(lookup_hash)",
  ],
];
