// Reading the verification emails Cairn delivers to a test SMTP server (test/smtp.ts).
import assert from "node:assert/strict";
import { simpleParser } from "mailparser";
import type { IniSections } from "./deps.js";
import type { TestSmtpServer } from "./smtp.js";

/** Config sections for an SMTP server on loopback `port` (timeout 5 s) and a link base. */
export function emailConf(
  port: number,
  base: string,
  extra: Record<string, string | number> = {},
): IniSections {
  return {
    email: {
      "email.smtphost": "127.0.0.1",
      "email.smtpport": port,
      "email.hostname": "id.cairn.test",
      "email.from": "Cairn <noreply@id.cairn.test>",
      "email.smtp_timeout_ms": 5000,
      ...extra,
    },
    http: { client_http_base: base },
  };
}

export interface Delivered {
  to: string[];
  subject: string | undefined;
  text: string;
  token: string;
  link: string;
}

/** The verification message a test SMTP server received, with its code and link. */
export async function delivered(smtp: TestSmtpServer, index = -1): Promise<Delivered> {
  const mail = smtp.received.at(index);
  assert.ok(mail, "a message was delivered");
  const parsed = await simpleParser(mail.data);
  const text = parsed.text ?? "";
  const token = /the code is: ([0-9A-Za-z]{32})/.exec(text)?.[1];
  const link = /^(\S+\/validate\/email\/submitToken\?\S+)$/m.exec(text)?.[1];
  assert.ok(token && link, text);
  return { to: mail.to, subject: parsed.subject, text, token, link };
}
