// OpenMarket's SMS API (v4 "mobile terminate"), spoken exactly as Sydent speaks it (§9.5): a JSON
// POST with HTTP Basic credentials, the sender picked per destination from `originators.<cc>`.
import type { Logger } from "pino";
import type { SmsOriginator } from "../../config/types.js";
import { pythonJsonDumps } from "../../crypto/canonical-json.js";
import { SmsSendError, type SmsRequest, type SmsSender } from "../types.js";
import { basicAuth, jsonObject, post, providerText, TOTAL_TIMEOUT_MS, type HttpFetch } from "./http.js";

export interface OpenMarketOptions {
  /** The endpoint (`[sms] openmarket.base_url`). */
  url: string;
  username: string;
  password: string;
  /** `originators.<cc>` by country calling code, and `default`. */
  originators: Readonly<Record<string, readonly SmsOriginator[]>>;
  fetch: HttpFetch;
  timeoutMs?: number;
  log?: Pick<Logger, "info">;
}

/** OpenMarket's type of number for each originator type. */
const TON = { long: 1, short: 3, alpha: 5 } as const;

const BUILT_IN: readonly SmsOriginator[] = [{ type: "alpha", text: "Matrix" }];

/**
 * The sender for a destination: from its country's list, else `default`, else "Matrix"; the entry
 * is chosen by the digit sum of the number, so one number always gets the same sender.
 */
export function pickOriginator(
  originators: OpenMarketOptions["originators"],
  countryCode: string,
  msisdn: string,
): SmsOriginator {
  const list = originators[countryCode] ?? originators.default ?? BUILT_IN;
  const sum = [...msisdn].reduce((total, digit) => total + Number(digit), 0);
  const chosen = list[sum % list.length];
  if (chosen === undefined) throw new SmsSendError("OpenMarket: no originator configured");
  return chosen;
}

export function openMarketSender(options: OpenMarketOptions): SmsSender {
  const authorization = basicAuth(options.username, options.password);
  return {
    async send({ msisdn, countryCode, body }: SmsRequest): Promise<void> {
      const source = pickOriginator(options.originators, countryCode, msisdn);
      const payload = pythonJsonDumps({
        mobileTerminate: {
          message: { content: body, type: "text" },
          destination: { address: msisdn },
          source: { ton: TON[source.type], address: source.text },
        },
      });
      const headers = { Authorization: authorization, "Content-Type": "application/json" };
      const timeout = options.timeoutMs ?? TOTAL_TIMEOUT_MS;
      const answer = await post(options.fetch, "OpenMarket", options.url, headers, payload, timeout);
      const requestId = answer.headers.get("x-request-id");
      if (answer.status < 200 || answer.status >= 300) {
        const error = jsonObject(answer.body)?.error;
        const detail = error === undefined ? "" : `: ${providerText(error, msisdn)}`;
        throw new SmsSendError(`OpenMarket answered ${answer.status} (request ID ${requestId})${detail}`);
      }
      const ticket = answer.headers.get("location")?.split("/").pop() ?? null;
      options.log?.info({ ticket, requestId }, "SMS handed to OpenMarket");
    },
  };
}
