// Matrix signed JSON, with python-signedjson's exact behaviour (what Sydent runs): the signature
// covers the canonical JSON of the object without `signatures` and `unsigned`.

import { decodeBase64 } from "./base64.js";
import { canonicalJsonBytes } from "./canonical-json.js";
import { verifyEd25519Raw } from "./signing-key.js";
import type { SigningKey } from "./signing-key.js";

export type Signatures = Record<string, Record<string, string>>;

export type VerifyResult = { ok: true } | { ok: false; reason: string };

/**
 * A signed copy of `obj` (the input is not modified): other signatures are kept, ours is set at
 * `signatures[serverName][key.keyId]`. Key order is Python's: the object's own keys, then
 * `signatures`, then `unsigned` (restored only when it was present and not null, as signedjson
 * does). Throws a TypeError if an existing `signatures` is not an object of objects, or if the
 * object cannot be canonicalised (see canonical-json.ts).
 */
export function signJson<T extends object>(
  obj: T,
  serverName: string,
  key: SigningKey,
): Omit<T, "signatures"> & { signatures: Signatures } {
  const { signatures, unsigned, ...rest } = obj as Record<string, unknown>;
  const signature = key.sign(canonicalJsonBytes(rest));
  const existing = signatures === undefined ? {} : asObject(signatures, "signatures");
  const ours = Object.hasOwn(existing, serverName)
    ? asObject(existing[serverName], `signatures[${JSON.stringify(serverName)}]`)
    : {};
  const signed: Record<string, unknown> = {
    ...rest,
    signatures: { ...existing, [serverName]: { ...ours, [key.keyId]: signature } },
  };
  if (unsigned !== undefined && unsigned !== null) signed.unsigned = unsigned;
  return signed as Omit<T, "signatures"> & { signatures: Signatures };
}

/**
 * Checks the signature `obj.signatures[serverName][keyId]` against `publicKey` (32 raw bytes).
 * Failure reasons are python-signedjson's messages, which Sydent passes on to clients (e.g. the
 * 401 body of an X-Matrix unbind), Python class names included. A value that cannot be
 * canonicalised throws, as it does in Sydent.
 */
export function verifySignedJson(
  obj: Record<string, unknown>,
  serverName: string,
  keyId: string,
  publicKey: Uint8Array,
): VerifyResult {
  if (!Object.hasOwn(obj, "signatures")) return failure("No signatures on this object");
  const signatureB64 = member(member(obj.signatures, serverName), keyId);
  if (signatureB64 === undefined) return failure(`Missing signature for ${serverName}, ${keyId}`);
  let signature: Buffer;
  try {
    if (typeof signatureB64 !== "string") throw new TypeError("not a string");
    signature = decodeBase64(signatureB64);
  } catch {
    return failure(`Invalid signature base64 for ${serverName}, ${keyId}`);
  }
  const { signatures: _signatures, unsigned: _unsigned, ...rest } = obj;
  const message = canonicalJsonBytes(rest);
  const unable = `Unable to verify signature for ${serverName}:`;
  if (signature.length !== 64) {
    return failure(
      `${unable} <class 'nacl.exceptions.ValueError'> The signature must be exactly 64 bytes long`,
    );
  }
  if (!verifyEd25519Raw(publicKey, message, signature)) {
    return failure(`${unable} <class 'nacl.exceptions.BadSignatureError'> Signature was forged or corrupt`);
  }
  return { ok: true };
}

const failure = (reason: string): VerifyResult => ({ ok: false, reason });

/** `value[key]` if value is a plain (non-array) object owning that key, else undefined. */
function member(value: unknown, key: string): unknown {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  return Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined;
}

function asObject(value: unknown, name: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TypeError(`cannot add a signature: ${name} is not an object`);
  }
  return value as Record<string, unknown>;
}
