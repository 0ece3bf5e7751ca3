// What the domain needs from the outside world to reach a person: email (rendered from a brand's
// templates and sent over SMTP) and SMS (through a provider). Implementations live beside this file.

/** The email templates Sydent knows, by their legacy file names (`.j2` twins are preferred). */
export type EmailTemplate = "verification_template.eml" | "invite_template.eml" | "migration_template.eml";

export interface EmailRequest {
  template: EmailTemplate;
  /** The `brand` request parameter, used only if it names a brand folder; else `brand.default`. */
  brand: string | undefined;
  /** Recipient: envelope and `To`. Must pass Sydent's address check or `M_INVALID_EMAIL` is thrown. */
  to: string;
  /** Template variables; Sydent's common ones (messageid, date, to, from, multipart_boundary) are added. */
  vars: Record<string, string>;
}

export interface Mailer {
  /**
   * Renders and sends. Throws MatrixError `M_INVALID_EMAIL` for a refused address (nothing sent),
   * `EmailSendError` when the SMTP exchange fails or times out.
   */
  send(request: EmailRequest): Promise<void>;
}

export class EmailSendError extends Error {
  override name = "EmailSendError";
}

export interface VerifyResponsePages {
  /** The HTML page of the email link (GET submitToken), from the brand's `verify_response_template.html`. */
  render(brand: string | undefined, message: string): string;
}

export interface SmsRequest {
  /** E.164 digits without `+`. */
  msisdn: string;
  /** The country calling code of `msisdn`, e.g. `44`. */
  countryCode: string;
  body: string;
}

export interface SmsSender {
  /** Throws `SmsSendError` when the provider refuses the message or cannot be reached. */
  send(request: SmsRequest): Promise<void>;
}

export class SmsSendError extends Error {
  override name = "SmsSendError";
}
