// Registration (behaviour §1.4, §7.3): the user's homeserver vouches for an OpenID token through
// `GET /_matrix/federation/v1/openid/userinfo`, and the identity server issues its own token for
// the user ID it names, which must live on exactly the server the client named.
//
// Every way this can fail has its own message, so that an operator helping a user can tell a DNS
// problem from a TLS one, a timeout or a homeserver answering nonsense. Network failures keep
// Sydent's "Unable to contact the Matrix homeserver (...)" form but say in words what failed; the
// details (addresses, certificate errors) go to the log only, since an unauthenticated caller
// must not learn how names resolve inside the network.
import type { Logger } from "pino";
import type { Clock } from "../clock.js";
import type { Random } from "../crypto/random.js";
import { invalidParam, MatrixError } from "../errors.js";
import { isValidServerName } from "../federation/server-name.js";
import type { FederationClient, FederationFailure, FederationResponse } from "../federation/types.js";
import { FederationError } from "../federation/types.js";
import type { AccountStore } from "../store/store.js";
import { issueToken } from "./accounts.js";

/** Largest userinfo reply read (Sydent's limit). */
export const USERINFO_MAX_BYTES = 5 * 1024;

const failed = (message: string) => new MatrixError("M_UNKNOWN", message);

/** What a client is told for each network failure; DNS and deny-listed look alike on purpose. */
const CONTACT_FAILURES: Record<FederationFailure, string> = {
  invalid_server_name: "its server discovery led to an invalid server name",
  dns: "DNS lookup found no usable address",
  blocked: "DNS lookup found no usable address",
  connect: "connection refused or unreachable",
  tls: "TLS handshake or certificate check failed",
  timeout: "timed out",
  too_large: "the reply was too large",
  protocol: "the connection broke or the reply was not HTTP",
};

export function contactFailure(kind: FederationFailure): MatrixError {
  if (kind === "too_large") {
    return failed(`The Matrix homeserver returned a reply larger than ${USERINFO_MAX_BYTES} bytes`);
  }
  return failed(`Unable to contact the Matrix homeserver (${CONTACT_FAILURES[kind]})`);
}

/** Python's `urllib.parse.quote(s)`: UTF-8 bytes, all but `A-Za-z0-9_.-~/` percent-encoded. */
export function pythonQuote(s: string): string {
  let out = "";
  for (const byte of Buffer.from(s, "utf8")) {
    const c = String.fromCharCode(byte);
    out += /^[A-Za-z0-9_.\-~/]$/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** The `sub` of a userinfo reply, checked to be a user ID on `serverName`. */
function userIdFromReply(reply: FederationResponse, serverName: string): string {
  // Sydent parses the body whatever the status. Here a non-2xx reply is a refusal (Synapse answers
  // 401 M_UNKNOWN_TOKEN to an expired token) or a failure, and a `sub` in it is not trusted.
  if (reply.status < 200 || reply.status > 299) {
    const what = reply.status >= 400 && reply.status < 500 ? "refused the OpenID token" : "failed";
    throw failed(`The Matrix homeserver ${what} (HTTP ${reply.status})`);
  }
  let body: unknown;
  try {
    body = JSON.parse(utf8.decode(reply.body));
  } catch {
    throw failed("The Matrix homeserver returned invalid JSON");
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw failed("The Matrix homeserver returned a malformed reply");
  }
  if (!("sub" in body)) throw failed("The Matrix homeserver did not include 'sub' in its response");
  const sub = body.sub;
  if (typeof sub !== "string") throw failed("The Matrix homeserver returned a malformed reply");
  const colon = sub.indexOf(":");
  const server = sub.slice(colon + 1);
  // Sydent checks only for a colon and a valid server part; a user ID also starts with `@`.
  if (!sub.startsWith("@") || colon < 2 || !isValidServerName(server)) {
    throw failed("The Matrix homeserver returned an invalid MXID");
  }
  if (server !== serverName) {
    throw failed("The Matrix homeserver returned a MXID belonging to another homeserver");
  }
  return sub;
}

/**
 * Asks `serverName` (lower-cased, valid) who owns the OpenID `accessToken`; returns the user ID or
 * throws a MatrixError saying what went wrong.
 */
export async function openIdUserId(
  federation: FederationClient,
  log: Logger,
  serverName: string,
  accessToken: string,
): Promise<string> {
  let reply: FederationResponse;
  try {
    reply = await federation.request(serverName, {
      method: "GET",
      path: `/_matrix/federation/v1/openid/userinfo?access_token=${pythonQuote(accessToken)}`,
      maxBytes: USERINFO_MAX_BYTES,
    });
  } catch (err) {
    if (!(err instanceof FederationError)) throw err;
    log.warn(
      { server: serverName, kind: err.kind, reason: err.message },
      "OpenID check: homeserver not reached",
    );
    throw contactFailure(err.kind);
  }
  try {
    return userIdFromReply(reply, serverName);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    log.warn({ server: serverName, status: reply.status, reason }, "OpenID check: reply refused");
    throw err;
  }
}

export interface RegistrationDeps {
  accounts: AccountStore;
  federation: FederationClient;
  random: Random;
  clock: Clock;
  log: Logger;
  /** `[general] homeserver_allow_list`; empty: any homeserver. */
  allowList: readonly string[];
}

/**
 * `POST /account/register`: checks the OpenID token with the named homeserver, creates the account
 * if it is new and returns a new access token for it.
 */
export async function registerWithOpenId(
  deps: RegistrationDeps,
  matrixServerName: string,
  accessToken: string,
): Promise<string> {
  const serverName = matrixServerName.toLowerCase();
  // Sydent compares with the entries as written, so an entry with a capital letter never matches.
  if (deps.allowList.length > 0 && !deps.allowList.some((entry) => entry.toLowerCase() === serverName)) {
    throw new MatrixError("M_UNAUTHORIZED", "This homeserver is not authorized to access this server.", {
      status: 403,
    });
  }
  if (!isValidServerName(serverName)) {
    throw invalidParam("matrix_server_name must be a valid Matrix server name (IP address or hostname)");
  }
  const userId = await openIdUserId(deps.federation, deps.log, serverName, accessToken);
  return issueToken(deps.accounts, deps.random, userId, deps.clock.now());
}
