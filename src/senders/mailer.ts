// The Mailer: Sydent's sendEmail (§9.6). Adds the variables every email gets, renders the brand's
// template, refuses a recipient Sydent would refuse (after rendering, as Sydent does), and hands
// the message to SMTP with the envelope sender taken from `email.from`.
import type { Clock } from "../clock.js";
import type { Config } from "../config/types.js";
import { ALPHANUMERIC, ASCII_LETTERS, type Random } from "../crypto/random.js";
import { MatrixError } from "../errors.js";
import { isAcceptedRecipient, parseAddress } from "./parseaddr.js";
import type { SmtpTransport } from "./smtp.js";
import type { BrandTemplates } from "./templates.js";
import type { EmailRequest, Mailer } from "./types.js";

export interface MailerOptions {
  config: Pick<Config, "general" | "http" | "email">;
  templates: Pick<BrandTemplates, "renderEmail">;
  smtp: SmtpTransport;
  clock: Clock;
  random: Random;
  /**
   * Called once per message when the SMTP connection (and login) succeeded and the message is about
   * to go out: where Sydent counts `sydent_emails_sent`.
   */
  onSending?: () => void;
}

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** Python's `email.utils.formatdate(t, localtime=False)`: RFC 2822 in UTC, zone `-0000`. */
export function formatMailDate(ms: number): string {
  const d = new Date(Math.floor(ms / 1000) * 1000);
  const two = (n: number) => String(n).padStart(2, "0");
  return (
    `${DAYS[d.getUTCDay()]}, ${two(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ` +
    `${String(d.getUTCFullYear()).padStart(4, "0")} ` +
    `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} -0000`
  );
}

/** `email.from` with `{hostname}` (Sydent's default placeholder) replaced by `email.hostname`. */
export const senderOf = (email: Config["email"]): string =>
  email.from.replaceAll("{hostname}", email.hostname);

/** This server's public base URL: `client_http_base` (no final `/`), else `https://<server.name>`. */
export function identityServerUrl(config: Pick<Config, "general" | "http">): string {
  const base = config.http.clientHttpBase.replace(/\/+$/, "");
  return base === "" ? `https://${config.general.serverName}` : base;
}

export function createMailer(options: MailerOptions): Mailer {
  const { config, templates, smtp, clock, random, onSending } = options;
  const from = senderOf(config.email);
  const envelopeFrom = parseAddress(from);
  const serverUrl = identityServerUrl(config);
  return {
    async send(request: EmailRequest): Promise<void> {
      const now = clock.now();
      const vars = {
        ...request.vars,
        identity_server_url: serverUrl,
        messageid: `<${now}${random.string(16, ASCII_LETTERS)}@${config.email.hostname}>`,
        date: formatMailDate(now),
        to: request.to,
        from,
        multipart_boundary: random.string(32, ALPHANUMERIC),
      };
      const message = templates.renderEmail(request.template, request.brand, vars);
      if (!isAcceptedRecipient(request.to)) throw new MatrixError("M_INVALID_EMAIL", "Invalid email address");
      await smtp.send({ from: envelopeFrom, to: request.to }, message, onSending);
    },
  };
}
