// Sydent's handler class name for each path, the `servlet` label of
// `sydent_http_received_requests_total`, so that dashboards built on Sydent keep their series.

const BY_SUFFIX: Record<string, string> = {
  "/_matrix/identity/versions": "VersionsServlet",
  "/account": "AccountServlet",
  "/account/register": "RegisterServlet",
  "/account/logout": "LogoutServlet",
  "/terms": "TermsServlet",
  "/validate/email/requestToken": "EmailRequestCodeServlet",
  "/validate/email/submitToken": "EmailValidateCodeServlet",
  "/validate/msisdn/requestToken": "MsisdnRequestCodeServlet",
  "/validate/msisdn/submitToken": "MsisdnValidateCodeServlet",
  "/3pid/getValidated3pid": "GetValidated3pidServlet",
  "/3pid/bind": "ThreePidBindServlet",
  "/3pid/unbind": "ThreePidUnbindServlet",
  "/lookup": "LookupServlet",
  "/bulk_lookup": "BulkLookupServlet",
  "/hash_details": "HashDetailsServlet",
  "/store-invite": "StoreInviteServlet",
  "/sign-ed25519": "BlindlySignStuffServlet",
  "/pubkey/ed25519:0": "Ed25519Servlet",
  "/pubkey/isvalid": "PubkeyIsValidServlet",
  "/pubkey/ephemeral/isvalid": "EphemeralPubkeyIsValidServlet",
  "/_matrix/identity/internal/bind": "AuthenticatedBindThreePidServlet",
  "/_matrix/identity/internal/unbind": "AuthenticatedUnbindThreePidServlet",
  "/_matrix/identity/replicate/v1/push": "ReplicationPushServlet",
};

const PREFIXES = ["/_matrix/identity/api/v1", "/_matrix/identity/v2"];

/** The Sydent servlet serving `path` (a route pattern), or undefined for paths Sydent did not have. */
export function servletFor(path: string): string | undefined {
  if (BY_SUFFIX[path]) return BY_SUFFIX[path];
  for (const prefix of PREFIXES) {
    if (!path.startsWith(prefix)) continue;
    const rest = path.slice(prefix.length);
    if (rest === "") return "CorsServlet";
    // v2 has its own lookup servlet name.
    if (rest === "/lookup" && prefix.endsWith("v2")) return "LookupV2Servlet";
    return BY_SUFFIX[rest];
  }
  return undefined;
}
