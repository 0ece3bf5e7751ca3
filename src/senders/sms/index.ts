// The SmsSender for the configured provider (`[sms] provider`).
import type { Logger } from "pino";
import type { Config } from "../../config/types.js";
import type { SmsSender } from "../types.js";
import type { HttpFetch } from "./http.js";
import { openMarketSender } from "./openmarket.js";
import { twilioSender } from "./twilio.js";

export type { HttpFetch } from "./http.js";

export interface SmsSenderOptions {
  /** Outbound HTTP; route it through the IP deny-list in production. */
  fetch: HttpFetch;
  /** Limit for a whole request (default 30 s). */
  timeoutMs?: number;
  log?: Pick<Logger, "info">;
}

export function createSmsSender(sms: Config["sms"], options: SmsSenderOptions): SmsSender {
  switch (sms.provider) {
    case "openmarket":
      return openMarketSender({
        url: sms.openmarketUrl,
        username: sms.username,
        password: sms.password,
        originators: sms.originators,
        ...options,
      });
    case "twilio":
      return twilioSender({ ...sms.twilio, ...options });
  }
}
