// One SMTP delivery per call, as Sydent makes it: connect (plain, STARTTLS or implicit TLS with the
// certificate checked against the configured host name), EHLO with `email.hostname`, log in when a
// user name is set, MAIL FROM / RCPT TO from the envelope, the message as given. Unlike Sydent
// (smtplib on the event-loop thread, no timeout), nothing blocks and every step has a deadline.
// Every failure, refusal or timeout is an EmailSendError.
import type { EmailTlsMode } from "../config/types.js";
import { EmailSendError } from "./types.js";

export interface SmtpSettings {
  host: string;
  port: number;
  tlsMode: EmailTlsMode;
  /** Empty: no login. */
  username: string;
  password: string;
  /** Announced in EHLO. */
  heloName: string;
  /** Limit for connecting, for the greeting, and for each answer after that. */
  timeoutMs: number;
  /** Certificate authorities to trust instead of the system's (tests). */
  ca?: string;
}

export interface SmtpEnvelope {
  from: string;
  to: string;
}

export interface SmtpTransport {
  /**
   * Delivers `message` (headers and body; line breaks are sent as CRLF) or throws EmailSendError.
   * `onSending` runs once connected (and logged in), just before the envelope and message go out.
   */
  send(envelope: SmtpEnvelope, message: string, onSending?: () => void): Promise<void>;
}

/** SMTP requires CRLF line ends; Sydent's templates (and Sydent on the wire) use bare LF. */
export const toCrlf = (text: string): string => text.replace(/\r\n|\r|\n/g, "\r\n");

export function smtpTransport(settings: SmtpSettings): SmtpTransport {
  return {
    send: (envelope, message, onSending) =>
      deliver(settings, envelope, Buffer.from(toCrlf(message), "utf8"), onSending),
  };
}

async function deliver(
  s: SmtpSettings,
  envelope: SmtpEnvelope,
  message: Buffer,
  onSending?: () => void,
): Promise<void> {
  // Loaded on first use: most processes never send an email, and start-up stays quick.
  const { default: SMTPConnection } = await import("nodemailer/lib/smtp-connection");
  const connection = new SMTPConnection({
    host: s.host,
    port: s.port,
    secure: s.tlsMode === "tls",
    requireTLS: s.tlsMode === "starttls",
    ignoreTLS: s.tlsMode === "plain",
    name: s.heloName,
    connectionTimeout: s.timeoutMs,
    greetingTimeout: s.timeoutMs,
    socketTimeout: s.timeoutMs,
    dnsTimeout: s.timeoutMs,
    socketCloseTimeout: Math.min(s.timeoutMs, 5000),
    tls: { rejectUnauthorized: true, ...(s.ca === undefined ? {} : { ca: s.ca }) },
    logger: false,
  });
  return new Promise<void>((resolve, reject) => {
    let step = "connection";
    let settled = false;
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      connection.close();
      const reason = err instanceof Error ? err.message : String(err);
      reject(new EmailSendError(`SMTP ${step} with ${s.host}:${s.port} failed: ${reason}`, { cause: err }));
    };
    connection.on("error", fail);
    connection.once("end", () => fail(new Error("connection closed")));
    const send = () => {
      step = "delivery";
      onSending?.();
      connection.send({ from: envelope.from, to: [envelope.to], size: message.length }, message, (err) => {
        if (err) return fail(err);
        settled = true;
        connection.quit();
        resolve();
      });
    };
    connection.connect((err) => {
      if (err) return fail(err);
      if (s.username === "") return send();
      step = "login";
      connection.login({ user: s.username, pass: s.password }, (loginErr) =>
        loginErr ? fail(loginErr) : send(),
      );
    });
  });
}
