// The HTML page a person sees after opening a validation link (GET submitToken), with Sydent's
// messages; a successful validation may redirect to the session's next link, the page as body.
import type { FastifyReply } from "fastify";
import type { VerifyResponsePages } from "../senders/types.js";

export const VERIFY_SUCCESS = "Verification successful! Please return to your Matrix client to continue.";
export const VERIFY_EMAIL_FAILURE = "Verification failed: you may need to request another verification email";
export const VERIFY_SMS_FAILURE = "Verification failed: you may need to request another verification text";
export const VERIFY_SMS_INVALID = "Verification failed: Your request was invalid.";

export interface VerifyPage {
  message: string;
  status: 200 | 302 | 400;
  location?: string;
}

export function sendVerifyPage(
  reply: FastifyReply,
  pages: VerifyResponsePages,
  brand: string | undefined,
  page: VerifyPage,
): FastifyReply {
  const html = pages.render(brand, page.message);
  if (page.location !== undefined) reply.header("Location", page.location);
  // Sydent sends `text/html` alone; the charset keeps pages without a <meta charset> readable.
  return reply.code(page.status).type("text/html; charset=utf-8").send(html);
}
