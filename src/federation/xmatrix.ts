// Authenticating homeserver-signed requests (`Authorization: X-Matrix ...`), as Sydent does for
// 3pid/unbind: the signed object is {method, uri, destination_is: <our server.name>, origin,
// content}; the origin's keys come from its /_matrix/key/v2/server through the federation client
// and are cached until their valid_until_ts.
import type { Logger } from "pino";
import type { Clock } from "../clock.js";
import { decodeBase64 } from "../crypto/base64.js";
import { verifySignedJson } from "../crypto/signed-json.js";
import { internalError, MatrixError } from "../errors.js";
import { remember } from "./cache.js";
import { isValidServerName } from "./server-name.js";
import type { FederationClient } from "./types.js";
import { FederationError, SYDENT_FAILURE_NAMES } from "./types.js";

export interface XMatrixRequest {
  method: string;
  /** The request target exactly as received: path, then `?` and the query if any. */
  uri: string;
  /** Every Authorization header of the request, in order (see authorizationHeaders). */
  authorization: readonly string[];
  /** The parsed JSON body. */
  content: unknown;
}

export interface XMatrixVerifier {
  /** The origin server whose signature checks out; throws MatrixError (Sydent's codes) otherwise. */
  verify(request: XMatrixRequest): Promise<string>;
}

export interface XMatrixOptions {
  client: FederationClient;
  /** Our `server.name`: what homeservers sign as `destination_is`. */
  serverName: string;
  clock: Clock;
  log: Logger;
}

/** The spec's path (no trailing slash, unlike Sydent's request); Synapse answers both. */
export const KEY_PATH = "/_matrix/key/v2/server";
const KEY_MAX_BYTES = 50 * 1024;

/** Node keeps only the first Authorization header in `req.headers`; the raw list has them all. */
export function authorizationHeaders(rawHeaders: readonly string[]): string[] {
  const values: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if (rawHeaders[i]?.toLowerCase() === "authorization") values.push(rawHeaders[i + 1] ?? "");
  }
  return values;
}

export interface XMatrixParams {
  origin: string;
  key: string;
  sig: string;
}

/**
 * Sydent's parser: the text between the first and second space, split on `,` into `key=value`
 * (split at the first `=`), a value starting with `"` loses its first and last characters; the
 * last of repeated parameters wins; `origin`, `key` and `sig` are required, others ignored. Null
 * when malformed.
 */
export function parseXMatrix(header: string): XMatrixParams | null {
  const params = header.split(" ")[1];
  if (params === undefined) return null;
  const values = new Map<string, string>();
  for (const part of params.split(",")) {
    const eq = part.indexOf("=");
    if (eq === -1) return null;
    values.set(part.slice(0, eq), part.slice(eq + 1));
  }
  const strip = (value: string | undefined) => (value?.startsWith('"') ? value.slice(1, -1) : value);
  const origin = strip(values.get("origin"));
  const key = strip(values.get("key"));
  const sig = strip(values.get("sig"));
  return origin === undefined || key === undefined || sig === undefined ? null : { origin, key, sig };
}

const forbidden = (message: string) => new MatrixError("M_FORBIDDEN", message, { status: 401 });

export function createXMatrixVerifier(options: XMatrixOptions): XMatrixVerifier {
  const cache = new Map<string, { keys: Record<string, string>; validUntil: number }>();

  async function fetchKeys(origin: string): Promise<Record<string, string>> {
    const hit = cache.get(origin);
    if (hit && hit.validUntil > options.clock.now()) return hit.keys;
    let body: string;
    try {
      const reply = await options.client.request(origin, {
        method: "GET",
        path: KEY_PATH,
        maxBytes: KEY_MAX_BYTES,
      });
      body = reply.body.toString("utf8");
    } catch (err) {
      if (!(err instanceof FederationError)) throw err;
      options.log.warn(
        { origin, kind: err.kind },
        `X-Matrix: cannot fetch the keys of ${origin}: ${err.message}`,
      );
      throw new MatrixError(
        "M_UNKNOWN",
        `Unable to contact the Matrix homeserver to authenticate request (${SYDENT_FAILURE_NAMES[err.kind]})`,
      );
    }
    let result: unknown;
    try {
      result = JSON.parse(body);
    } catch {
      options.log.warn({ origin }, `X-Matrix: ${origin}${KEY_PATH} did not return JSON`);
      throw internalError();
    }
    if (!isObject(result) || !Object.hasOwn(result, "verify_keys"))
      throw forbidden("No key found in response");
    const verifyKeys = result.verify_keys;
    if (!isObject(verifyKeys)) {
      throw forbidden(`Invalid type for verify_keys: expected dict, got ${JSON.stringify(verifyKeys)}`);
    }
    const keys: Record<string, string> = {};
    for (const [keyId, entry] of Object.entries(verifyKeys)) {
      if (!isObject(entry) || !Object.hasOwn(entry, "key")) continue;
      if (typeof entry.key !== "string") {
        throw forbidden(
          `Invalid type for verify_keys/${keyId}/key: expected str, got ${JSON.stringify(entry.key)}`,
        );
      }
      Object.defineProperty(keys, keyId, { value: entry.key, enumerable: true });
    }
    if (Object.hasOwn(result, "valid_until_ts")) {
      const validUntil = result.valid_until_ts;
      if (typeof validUntil !== "number" || !Number.isInteger(validUntil)) {
        throw forbidden("Invalid valid_until_ts received, must be an integer");
      }
      remember(cache, origin, { keys, validUntil });
    }
    return keys;
  }

  return {
    async verify(request) {
      if (request.authorization.length === 0) throw forbidden("Missing Authorization headers");
      let origin: string | null = null;
      const signatures = new Map<string, Map<string, string>>();
      for (const header of request.authorization) {
        if (!header.startsWith("X-Matrix")) continue;
        const params = parseXMatrix(header);
        if (params === null) throw forbidden("Malformed Authorization header");
        origin = params.origin;
        const forOrigin = signatures.get(origin) ?? new Map<string, string>();
        forOrigin.set(params.key, params.sig);
        signatures.set(origin, forOrigin);
      }
      if (origin === null) throw forbidden("Missing X-Matrix Authorization header");
      if (!isValidServerName(origin)) {
        throw new MatrixError(
          "M_INVALID_PARAM",
          "X-Matrix header's origin parameter must be a valid Matrix server name",
        );
      }
      const signed = {
        method: request.method,
        uri: request.uri,
        destination_is: options.serverName,
        origin,
        content: request.content,
        signatures: Object.fromEntries(
          [...signatures].map(([name, sigs]) => [name, Object.fromEntries(sigs)]),
        ),
      };
      const keys = await fetchKeys(origin);
      for (const keyId of signatures.get(origin)?.keys() ?? []) {
        if (!Object.hasOwn(keys, keyId)) continue;
        const publicKey = verifyKeyBytes(origin, keyId, keys[keyId] ?? "");
        const result = verifySignedJson(signed, origin, keyId, publicKey);
        if (!result.ok) throw forbidden(result.reason);
        return origin;
      }
      throw forbidden("No matching signature found");
    },
  };
}

/** The raw ed25519 key a key server published; 401 when it is not one. */
function verifyKeyBytes(origin: string, keyId: string, base64: string): Buffer {
  const bytes = decodeOrNull(base64);
  if (!keyId.startsWith("ed25519:") || bytes === null || bytes.length !== 32) {
    throw forbidden(`Unable to verify signature for ${origin}: ${keyId} is not a usable ed25519 key`);
  }
  return bytes;
}

function decodeOrNull(base64: string): Buffer | null {
  try {
    return decodeBase64(base64);
  } catch {
    return null;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
