// What an invitation email is made of, as Sydent computes it (behaviour §6.1 steps 11-19, §6.2):
// the template variables from the store-invite arguments, the RFC 2047 subject, and the redacted
// address the homeserver shows in the room until the invitation is accepted. Pure functions.
import type { Config } from "../config/types.js";
import { encodeHeaderValue } from "../senders/header-encode.js";
import { percentFormat } from "../senders/percent-format.js";

/** Variables Sydent sets to "" when the homeserver did not send them (templates use them all). */
const DEFAULTS = [
  "sender_display_name",
  "token",
  "room_name",
  "bracketed_room_name",
  "room_avatar_url",
  "sender_avatar_url",
  "guest_user_id",
  "guest_access_token",
  "room_type",
] as const;

export const WEB_CLIENT_LOCATION_ARG = "org.matrix.web_client_location";

/** Python's `s[:n]` and `len(s)`: code points, not UTF-16 units. */
const codePoints = (s: string): string[] => Array.from(s);

/** `s` cut to `keep` code points plus `…` when it is longer than `max`. */
function shorten(s: string, max: number, keep: number): string {
  const chars = codePoints(s);
  return chars.length > max ? `${chars.slice(0, keep).join("")}\u2026` : s;
}

export interface InviteEmailInput {
  /** The store-invite arguments as received (only strings become variables). */
  args: Readonly<Record<string, unknown>>;
  token: string;
  /** The ephemeral key's private half (URL-safe base64 seed), for the email link. */
  ephemeralPrivateKey: string;
  /** The authenticated user (v2), shown in brackets; null on v1. */
  verifiedSender: string | null;
  email: Pick<Config["email"], "defaultWebClientLocation" | "inviteSubject" | "inviteSubjectSpace">;
}

/**
 * The invitation email's template variables, `subject_header_value` included. Throws the
 * formatting error of a broken `email.invite.subject` (a `%` not followed by `(name)s`).
 */
export function inviteSubstitutions(input: InviteEmailInput): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const [name, value] of Object.entries(input.args)) {
    if (typeof value === "string") vars[name] = value;
  }
  vars.token = input.token;
  for (const name of DEFAULTS) vars[name] ??= "";
  vars.sender_display_name = shorten(vars.sender_display_name ?? "", 20, 19);
  vars.bracketed_verified_sender = input.verifiedSender === null ? "" : `(${input.verifiedSender}) `;
  vars.ephemeral_private_key = input.ephemeralPrivateKey;
  if (vars.room_name !== "") {
    vars.room_name = shorten(vars.room_name ?? "", 30, 25);
    vars.bracketed_room_name = `(${vars.room_name}) `;
  }
  const webClient = input.args[WEB_CLIENT_LOCATION_ARG];
  vars.web_client_location = typeof webClient === "string" ? webClient : input.email.defaultWebClientLocation;
  const subject = vars.room_type === "m.space" ? input.email.inviteSubjectSpace : input.email.inviteSubject;
  vars.subject_header_value = encodeHeaderValue(formatSubject(subject, vars));
  return vars;
}

/**
 * The configured subject `%`-formatted with the variables. A placeholder naming a variable the
 * homeserver did not send (say `%(room_alias)s`) becomes empty; Sydent failed with 500.
 */
export function formatSubject(subject: string, vars: Readonly<Record<string, string>>): string {
  const orEmpty = new Proxy(vars, {
    get: (target, name) => (typeof name === "string" ? (target[name] ?? "") : undefined),
  });
  return percentFormat(subject, orEmpty);
}

/** One side of the address: `n` code points then `...`, or less when it is that short. */
function redact(part: string, n: number): string {
  const chars = codePoints(part);
  if (chars.length > n) return `${chars.slice(0, n).join("")}...`;
  if (chars.length > 5) return `${chars.slice(0, 3).join("")}...`;
  if (chars.length > 1) return `${chars[0]}...`;
  return "...";
}

/**
 * The `display_name` of an invitation (§6.2): both sides of the first `@` redacted, e.g.
 * `alice@example.com` → `ali...@exa...` with 3 and 3. The address must contain `@`.
 */
export function redactAddress(address: string, usernameChars: number, domainChars: number): string {
  const at = address.indexOf("@");
  if (at < 0) throw new RangeError("an invited address has an @");
  return `${redact(address.slice(0, at), usernameChars)}@${redact(address.slice(at + 1), domainChars)}`;
}
