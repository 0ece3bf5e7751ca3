// Twilio's Messages API (a Cairn addition; sydent#49): a form POST with the account SID and auth
// token as HTTP Basic credentials.
import type { Logger } from "pino";
import { SmsSendError, type SmsRequest, type SmsSender } from "../types.js";
import { basicAuth, jsonObject, post, providerText, TOTAL_TIMEOUT_MS, type HttpFetch } from "./http.js";

export interface TwilioOptions {
  /** `[sms] twilio.base_url`, e.g. `https://api.twilio.com`. */
  baseUrl: string;
  accountSid: string;
  authToken: string;
  /** The sender: a Twilio number in E.164 form or an alphanumeric sender ID. */
  from: string;
  fetch: HttpFetch;
  timeoutMs?: number;
  log?: Pick<Logger, "info">;
}

export function twilioSender(options: TwilioOptions): SmsSender {
  const url =
    `${options.baseUrl.replace(/\/+$/, "")}/2010-04-01/Accounts/` +
    `${encodeURIComponent(options.accountSid)}/Messages.json`;
  const headers = {
    Authorization: basicAuth(options.accountSid, options.authToken),
    "Content-Type": "application/x-www-form-urlencoded",
  };
  return {
    async send({ msisdn, body }: SmsRequest): Promise<void> {
      const form = new URLSearchParams({ To: `+${msisdn}`, From: options.from, Body: body }).toString();
      const timeout = options.timeoutMs ?? TOTAL_TIMEOUT_MS;
      const answer = await post(options.fetch, "Twilio", url, headers, form, timeout);
      const json = jsonObject(answer.body);
      if (answer.status < 200 || answer.status >= 300) {
        const detail = json
          ? `: ${providerText(`${json.code ?? ""} ${json.message ?? ""}`.trim(), msisdn)}`
          : "";
        throw new SmsSendError(`Twilio answered ${answer.status}${detail}`);
      }
      options.log?.info({ sid: typeof json?.sid === "string" ? json.sid : null }, "SMS handed to Twilio");
    },
  };
}
