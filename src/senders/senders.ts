// Builds the senders the rest of Cairn uses from the config: the Mailer (brand templates + SMTP),
// the verify-response pages, and the SmsSender of the configured provider.
import type { Logger } from "pino";
import type { Clock } from "../clock.js";
import type { Config } from "../config/types.js";
import type { Random } from "../crypto/random.js";
import type { Metrics } from "../metrics/metrics.js";
import { createMailer } from "./mailer.js";
import { smtpTransport, type SmtpSettings } from "./smtp.js";
import { createSmsSender } from "./sms/index.js";
import { directFetch, type HttpFetch } from "./sms/http.js";
import { BrandTemplates, templateSettings } from "./templates.js";
import type { Mailer, SmsSender, VerifyResponsePages } from "./types.js";

export interface Senders {
  mailer: Mailer;
  verifyPages: VerifyResponsePages;
  sms: SmsSender;
}

export interface SendersOptions {
  /** The working directory relative template paths are taken from (Sydent's). */
  cwd: string;
  clock: Clock;
  random: Random;
  log: Logger;
  /** `sydent_emails_sent_total` and `cairn_sms_sent_total` are counted here. */
  metrics: Pick<Metrics, "emailsSent" | "smsSent">;
  /** Outbound HTTP for SMS; default: direct connections (no IP deny-list). */
  fetch?: HttpFetch;
}

export function smtpSettings(email: Config["email"]): SmtpSettings {
  return {
    host: email.smtpHost,
    port: email.smtpPort,
    tlsMode: email.tlsMode,
    username: email.smtpUsername,
    password: email.smtpPassword,
    heloName: email.hostname,
    timeoutMs: email.smtpTimeoutMs,
  };
}

export function createSenders(config: Config, options: SendersOptions): Senders {
  const templates = new BrandTemplates(templateSettings(config, options.cwd));
  const mailer = createMailer({
    config,
    templates,
    smtp: smtpTransport(smtpSettings(config.email)),
    clock: options.clock,
    random: options.random,
    onSending: () => options.metrics.emailsSent.inc(),
  });
  const sms = createSmsSender(config.sms, { fetch: options.fetch ?? directFetch(), log: options.log });
  return { mailer, verifyPages: templates, sms: counted(sms, config.sms.provider, options.metrics.smsSent) };
}

/** Counts every SMS by provider and outcome (`sent` or `failed`). */
function counted(sms: SmsSender, provider: string, counter: Metrics["smsSent"]): SmsSender {
  return {
    async send(request) {
      try {
        await sms.send(request);
      } catch (err) {
        counter.inc({ provider, outcome: "failed" });
        throw err;
      }
      counter.inc({ provider, outcome: "sent" });
    },
  };
}
