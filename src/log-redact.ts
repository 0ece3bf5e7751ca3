// What keeps secrets and addresses out of the log. Call sites log ids, counts and server names, never
// an address or a token; these are the nets behind them: field names that are always censored, the
// query values of any URL, and email addresses or phone numbers inside free text (an error message
// from a driver or a peer can quote a row or a request).

/** Fields censored wherever they appear at the top level or one level down (pino `redact`). */
const SECRET_FIELDS = [
  "address",
  "email",
  "msisdn",
  "phone_number",
  "medium_address",
  "client_secret",
  "token",
  "access_token",
  "password",
  "authorization",
  "private_key",
  "signing_key",
  "seed",
];

export const REDACT_PATHS = [...SECRET_FIELDS, ...SECRET_FIELDS.map((f) => `*.${f}`)];

export const CENSOR = "<redacted>";

/** A URL (or request target) with every query value replaced; the path and names stay. */
export function redactQuery(url: string): string {
  const q = url.indexOf("?");
  if (q === -1) return url;
  const hash = url.indexOf("#", q);
  const query = url.slice(q + 1, hash === -1 ? undefined : hash);
  const names = query
    .split("&")
    .filter((p) => p !== "")
    .map((p) => `${p.split("=", 1)[0]}=${CENSOR}`);
  return `${url.slice(0, q)}?${names.join("&")}`;
}

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
// An international number: a plus and 7 to 15 digits, maybe grouped with spaces, dots or dashes.
const PHONE = /\+\d(?:[ .-]?\d){6,14}/g;
const URL_QUERY = /(https?:\/\/[^\s"'?]*|\/_matrix\/[^\s"'?]*)\?[^\s"']*/g;
// A secret parameter wherever it appears (a relative URL, a form body quoted in an error).
const SECRET_PARAM = /\b(client_secret|access_token|token)=(?!<redacted>)[^&\s"']+/g;

/** Free text with addresses, numbers and URL query values masked. */
export function scrubText(text: string): string {
  return text
    .replace(URL_QUERY, (url) => redactQuery(url))
    .replace(SECRET_PARAM, `$1=${CENSOR}`)
    .replace(EMAIL, "<email>")
    .replace(PHONE, "<number>");
}
