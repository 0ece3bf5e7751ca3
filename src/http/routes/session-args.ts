// Argument checks shared by the validation-session routes, with Sydent's messages and in the
// order Sydent applies them (send_attempt, then client_secret, then the address).
import { invalidParam } from "../../errors.js";
import { invalidClientSecret, isValidClientSecret } from "../../domain/sessions.js";
import { pythonInt, pythonStr } from "../python-int.js";

/** `send_attempt` as Python's int() reads it; 400 `M_INVALID_PARAM` with Sydent's (unclosed) message. */
export function sendAttemptOf(value: unknown): number {
  const attempt = pythonInt(value);
  if (attempt === null) throw invalidParam(`send_attempt should be an integer (got ${pythonStr(value)}`);
  return attempt;
}

/** The client secret, or 400 `M_INVALID_PARAM` "Invalid client_secret provided". */
export function clientSecretOf(value: unknown): string {
  if (!isValidClientSecret(value)) throw invalidClientSecret();
  return value;
}
