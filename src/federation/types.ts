// The outbound client for homeservers (`matrix://` server names): server discovery, TLS, the IP
// deny-list, timeouts and size caps. Used by registration (OpenID userinfo), onbind and key fetches.

export interface FederationRequest {
  method: "GET" | "POST" | "PUT";
  /** Path and query, e.g. `/_matrix/federation/v1/openid/userinfo?access_token=...`. */
  path: string;
  /** Sent as `application/json` when present. */
  json?: unknown;
  /** Largest body accepted, in bytes; a larger reply fails with kind `too_large`. */
  maxBytes?: number;
  timeoutMs?: number;
}

export interface FederationResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** Why a request failed, for messages an operator can act on. */
export type FederationFailure =
  | "invalid_server_name"
  | "dns" // no address found, or DNS failed
  | "blocked" // an address found is deny-listed, so none is connected to (Sydent: a DNS error)
  | "connect" // refused, unreachable
  | "tls" // handshake or certificate failure
  | "timeout"
  | "too_large"
  | "protocol"; // not HTTP, connection dropped mid-reply

export class FederationError extends Error {
  override name = "FederationError";
  constructor(
    readonly kind: FederationFailure,
    message: string,
  ) {
    super(message);
  }
}

export interface FederationClient {
  /** One request to the homeserver `serverName`, resolved as the server-server spec says. */
  request(serverName: string, request: FederationRequest): Promise<FederationResponse>;
}

/**
 * The exception class Sydent names in its client-facing "Unable to contact the Matrix homeserver
 * (…)" errors, per failure. Client-facing messages use these rather than FederationError's own
 * message, which names addresses (an unauthenticated caller must not learn what a name resolves
 * to inside the network).
 */
export const SYDENT_FAILURE_NAMES: Record<FederationFailure, string> = {
  invalid_server_name: "ValueError",
  dns: "DNSLookupError",
  blocked: "DNSLookupError",
  connect: "ConnectError",
  tls: "ResponseNeverReceived",
  timeout: "TimeoutError",
  too_large: "BodyExceededMaxSize",
  protocol: "ResponseFailed",
};
