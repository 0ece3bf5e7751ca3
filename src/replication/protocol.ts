// The push protocol (behaviour §8.2): where a push goes, and what it carries:
// `{"sgAssocs": {"<local id>": <signed association>, ...}}`, local rows in ascending id order,
// each signed afresh as Sydent does (tombstones included), as the bytes Python's json.dumps gives.
import { pythonJsonDumps } from "../crypto/canonical-json.js";
import type { SigningKey } from "../crypto/signing-key.js";
import {
  associationFromLocal,
  signAssociation,
  type SignedAssociation,
} from "../domain/signed-association.js";
import type { LocalAssociation } from "../store/store.js";

/** The one endpoint of the replication listener. */
export const PUSH_PATH = "/_matrix/identity/replicate/v1/push";

/** Sydent's default port for a peer whose `peers.port` is NULL or 0 (not 4434). */
export const DEFAULT_PEER_PORT = 1001;

/** The signed associations of `rows` by local id (integer keys iterate in ascending order). */
export function signedBatch(
  rows: readonly LocalAssociation[],
  serverName: string,
  key: SigningKey,
): Record<string, SignedAssociation> {
  const batch: Record<string, SignedAssociation> = {};
  for (const row of rows) batch[String(row.id)] = signAssociation(associationFromLocal(row), serverName, key);
  return batch;
}

/** The request body for `rows`. */
export function pushBody(rows: readonly LocalAssociation[], serverName: string, key: SigningKey): string {
  return pythonJsonDumps({ sgAssocs: signedBatch(rows, serverName, key) });
}

/**
 * Where pushes to a peer go: `[peer.<name>] base_replication_url`, else `https://<name>:<port>`
 * (port 1001 when the row has none), with a `/` added when missing, then the push path.
 */
export function peerPushUrl(
  peer: { name: string; port: number | null },
  baseReplicationUrls: Readonly<Record<string, string>>,
): string {
  let base = baseReplicationUrls[peer.name] ?? `https://${peer.name}:${peer.port || DEFAULT_PEER_PORT}`;
  if (!base.endsWith("/")) base += "/";
  return `${base}${PUSH_PATH.slice(1)}`;
}
