// Phone validation sessions: requestToken texts a 6-digit token (behaviour §1.9, §4.3, §4.8).
import type { Config } from "../config/types.js";
import { DIGITS } from "../crypto/random.js";
import { internalError, MatrixError } from "../errors.js";
import { SmsSendError, type SmsSender } from "../senders/types.js";
import type { ParsedPhone } from "./phone.js";
import { usableNextLink } from "./next-link.js";
import { getOrCreateSession, type SessionDeps } from "./sessions.js";

export const SMS_TOKEN_LENGTH = 6;

export interface MsisdnSessionDeps extends SessionDeps {
  sms: SmsSender;
  smsConfig: Pick<Config["sms"], "bodyTemplate" | "smsRules">;
}

export interface MsisdnTokenRequest {
  phone: ParsedPhone;
  clientSecret: string;
  sendAttempt: number;
  nextLink: string | undefined;
}

/** `bodyTemplate` filled as Python's `str.format(token=...)`: `{token}`, and `{{`/`}}` for braces. */
export function smsBody(template: string, token: string): string {
  return template.replace(/\{\{|\}\}|\{token\}/g, (m) => (m === "{token}" ? token : m.charAt(0)));
}

/**
 * Refuses countries whose `smsrule` is `reject` (400 `M_DESTINATION_REJECTED`), then finds or
 * creates the session and, for any `send_attempt` of 0 or more, texts its token (as Sydent does).
 * Returns the sid. A provider failure is 500 `M_UNKNOWN`; the session stays.
 */
export async function requestMsisdnToken(
  deps: MsisdnSessionDeps,
  request: MsisdnTokenRequest,
): Promise<number> {
  const { phone } = request;
  if (deps.smsConfig.smsRules[phone.countryCode] === "reject") {
    throw new MatrixError(
      "M_DESTINATION_REJECTED",
      "Phone numbers in this country are not currently supported",
    );
  }
  const session = await getOrCreateSession(deps, "msisdn", phone.msisdn, request.clientSecret, () =>
    deps.random.string(SMS_TOKEN_LENGTH, DIGITS),
  );
  if (request.sendAttempt < 0) return session.sid;
  const nextLink = usableNextLink(request.nextLink);
  if (nextLink !== undefined) await deps.store.sessions.addNextLink(session.sid, nextLink);
  try {
    await deps.sms.send({
      msisdn: phone.msisdn,
      countryCode: phone.countryCode,
      body: smsBody(deps.smsConfig.bodyTemplate, session.token),
    });
  } catch (err) {
    // The sender logs the provider's answer; the client learns only that it failed, as from Sydent.
    if (err instanceof SmsSendError) throw internalError();
    throw err;
  }
  await deps.store.sessions.setSendAttemptNumber(session.sid, request.sendAttempt);
  return session.sid;
}
