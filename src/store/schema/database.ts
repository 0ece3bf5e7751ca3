// Kysely's view of the tables: Sydent's names and columns exactly (camelCase where Sydent has it),
// plus Cairn's own `cairn_*` tables.

import type { Generated } from "kysely";

export interface ThreepidValidationSessionsTable {
  id: number;
  medium: string;
  address: string;
  clientSecret: string;
  validated: Generated<number | null>;
  mtime: number;
}

export interface ThreepidTokenAuthsTable {
  id: Generated<number>;
  validationSession: number;
  token: string;
  sendAttemptNumber: number;
}

export interface LocalThreepidAssociationsTable {
  id: Generated<number>;
  medium: string;
  address: string;
  mxid: string | null;
  ts: number | null;
  notBefore: number | null;
  notAfter: number | null;
  lookup_hash: string | null;
}

export interface GlobalThreepidAssociationsTable {
  id: Generated<number>;
  medium: string;
  address: string;
  mxid: string;
  ts: number;
  notBefore: number;
  notAfter: number;
  originServer: string;
  originId: number;
  sgAssoc: string;
  lookup_hash: string | null;
}

export interface InviteTokensTable {
  id: Generated<number>;
  medium: string;
  address: string;
  room_id: string;
  sender: string;
  token: string;
  received_ts: number | null;
  sent_ts: number | null;
}

export interface EphemeralPublicKeysTable {
  id: Generated<number>;
  public_key: string;
  verify_count: Generated<number | null>;
  persistence_ts: number | null;
}

export interface PeersTable {
  id: Generated<number>;
  name: string;
  port: number | null;
  lastSentVersion: number | null;
  lastPokeSucceededAt: number | null;
  active: Generated<number>;
}

export interface PeerPubkeysTable {
  id: Generated<number>;
  peername: string;
  alg: string;
  key: string;
}

export interface HashingMetadataTable {
  id: number;
  lookup_pepper: string | null;
}

export interface AccountsTable {
  user_id: string;
  created_ts: number;
  consent_version: string | null;
}

export interface TokensTable {
  token: string;
  user_id: string;
}

export interface AcceptedTermsUrlsTable {
  user_id: string;
  url: string;
}

export interface CairnSchemaTable {
  version: number;
}

export interface CairnLeasesTable {
  name: string;
  holder: string;
  expires_at: number;
}

export interface CairnSessionNextLinksTable {
  sid: number;
  next_link: string;
}

export interface CairnInviteKeysTable {
  token: string;
  public_key: string;
  /** Milliseconds. */
  expires_at: number;
}

export interface CairnOnbindQueueTable {
  id: Generated<number>;
  destination: string;
  /** The JSON body POSTed to the homeserver. */
  body: string;
  /** Milliseconds, as is next_attempt_ts. */
  created_ts: number;
  next_attempt_ts: number;
  attempts: Generated<number>;
  last_error: string | null;
}

export interface Database {
  threepid_validation_sessions: ThreepidValidationSessionsTable;
  threepid_token_auths: ThreepidTokenAuthsTable;
  local_threepid_associations: LocalThreepidAssociationsTable;
  global_threepid_associations: GlobalThreepidAssociationsTable;
  invite_tokens: InviteTokensTable;
  ephemeral_public_keys: EphemeralPublicKeysTable;
  peers: PeersTable;
  peer_pubkeys: PeerPubkeysTable;
  hashing_metadata: HashingMetadataTable;
  accounts: AccountsTable;
  tokens: TokensTable;
  accepted_terms_urls: AcceptedTermsUrlsTable;
  cairn_schema: CairnSchemaTable;
  cairn_leases: CairnLeasesTable;
  cairn_session_next_links: CairnSessionNextLinksTable;
  cairn_invite_keys: CairnInviteKeysTable;
  cairn_onbind_queue: CairnOnbindQueueTable;
}
