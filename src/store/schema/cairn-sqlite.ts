// Cairn's own SQLite schema, applied after Sydent's. Everything is named `cairn_*` and nothing of
// Sydent's is altered, so Sydent (and its scripts) can still open the file. The version is kept in
// `cairn_schema` (PRAGMA user_version stays Sydent's).

/** Steps: index i takes cairn_schema.version from i to i + 1. */
export const cairnSqliteSteps: readonly (readonly string[])[] = [
  [
    // requestToken finds a session by (medium, address, clientSecret); Sydent scanned the table.
    "CREATE INDEX cairn_threepid_validation_sessions_threepid ON threepid_validation_sessions(medium, address)",
    // Token rows are joined and reaped by their session.
    "CREATE INDEX cairn_threepid_token_auths_session ON threepid_token_auths(validationSession)",
  ],
  [
    // Leases coordinate periodic jobs between processes sharing one database (jobs/periodic.ts).
    "CREATE TABLE cairn_leases (name text NOT NULL PRIMARY KEY, holder text NOT NULL, expires_at bigint NOT NULL)",
  ],
  [
    // The next_link values emailed for a session: the GET submitToken page redirects only to one
    // of them (sessions.ts). Rows go with their session when expired sessions are deleted.
    "CREATE TABLE cairn_session_next_links (sid bigint NOT NULL, next_link text NOT NULL)",
    "CREATE INDEX cairn_session_next_links_sid ON cairn_session_next_links(sid)",
  ],
  [
    // Which ephemeral key belongs to which invitation, and when both lapse (ms): Sydent keeps the
    // two in unrelated rows, so revoking or expiring an invitation could not reach its key.
    `CREATE TABLE cairn_invite_keys (token text NOT NULL PRIMARY KEY, public_key text NOT NULL,
      expires_at bigint NOT NULL)`,
    "CREATE UNIQUE INDEX cairn_invite_keys_public_key ON cairn_invite_keys(public_key)",
    "CREATE INDEX cairn_invite_keys_expires_at ON cairn_invite_keys(expires_at)",
  ],
  [
    // Bind notifications (onbind) waiting for their homeserver, so none is lost on a restart. A
    // row is claimed by pushing next_attempt_ts forward (sql-onbind.ts); times are ms.
    `CREATE TABLE cairn_onbind_queue (id integer PRIMARY KEY AUTOINCREMENT, destination text NOT NULL,
      body text NOT NULL, created_ts bigint NOT NULL, next_attempt_ts bigint NOT NULL,
      attempts integer NOT NULL DEFAULT 0, last_error text)`,
    "CREATE INDEX cairn_onbind_queue_next_attempt_ts ON cairn_onbind_queue(next_attempt_ts)",
  ],
];
