// Email validation (behaviour §1.7, §1.8): requestToken, the client's POST submitToken (200 with
// `success: false` on failure, as Sydent answers), and the emailed link's GET submitToken page.
import Type from "typebox";
import { redirectTarget } from "../../domain/next-link.js";
import { enforceRateLimit, type RateLimiter } from "../../domain/ratelimit.js";
import {
  hasValidEmailLength,
  requestEmailToken,
  type EmailSessionDeps,
} from "../../domain/sessions-email.js";
import { isValidClientSecret, parseSid, submitToken, type TokenCheck } from "../../domain/sessions.js";
import { invalidParam } from "../../errors.js";
import type { VerifyResponsePages } from "../../senders/types.js";
import { brandOf, type ClientIp } from "../client-ip.js";
import type { Route } from "../route.js";
import { VERIFY_EMAIL_FAILURE, VERIFY_SUCCESS, sendVerifyPage } from "../verify-page.js";
import { clientSecretOf, sendAttemptOf } from "./session-args.js";

export interface EmailRouteDeps extends EmailSessionDeps {
  rateLimiter: RateLimiter;
  verifyPages: VerifyResponsePages;
  clientIp: ClientIp;
}

const versions = ["v1", "v2"] as const;

/** Sydent's answers to a POST submitToken (the last two messages are swapped, as in Sydent). */
const postAnswers: Record<TokenCheck, Record<string, unknown>> = {
  validated: { success: true },
  wrong_secret: {
    success: false,
    errcode: "M_INVALID_PARAM",
    error: "Client secret does not match the one given when requesting the token",
  },
  expired: {
    success: false,
    errcode: "M_SESSION_EXPIRED",
    error: "This validation session has expired: call requestToken again",
  },
  unknown_sid: { success: false, errcode: "M_INVALID_PARAM", error: "The token doesn't match" },
  wrong_token: {
    success: false,
    errcode: "M_NO_VALID_SESSION",
    error: "No session could be found with this sid",
  },
};

export function emailRoutes(route: Route, deps: EmailRouteDeps): void {
  route({
    method: "POST",
    path: "/validate/email/requestToken",
    versions,
    auth: "terms",
    args: Type.Object({
      email: Type.Unknown(),
      client_secret: Type.Unknown(),
      send_attempt: Type.Unknown(),
      next_link: Type.Optional(Type.String()),
    }),
    // Sydent counts the request before looking at its arguments: v1 per client IP, v2 per user.
    before: async ({ req, version, userId }) => {
      const key = version === "v2" ? userId : deps.clientIp(req);
      if (key !== null) await enforceRateLimit(deps.rateLimiter, "emailSender", key, "Too many requests");
    },
    handler: async ({ args, req }) => {
      const sendAttempt = sendAttemptOf(args.send_attempt);
      const clientSecret = clientSecretOf(args.client_secret);
      const email = args.email;
      if (typeof email !== "string" || !hasValidEmailLength(email))
        throw invalidParam("Invalid email provided");
      const sid = await requestEmailToken(deps, {
        email,
        clientSecret,
        sendAttempt,
        nextLink: args.next_link,
        clientIp: deps.clientIp(req),
        brand: brandOf(req),
      });
      return { sid: String(sid) };
    },
  });

  route({
    method: "POST",
    path: "/validate/email/submitToken",
    versions,
    auth: "terms",
    args: Type.Object({ token: Type.Unknown(), sid: Type.Unknown(), client_secret: Type.Unknown() }),
    handler: async ({ args }) => {
      const clientSecret = clientSecretOf(args.client_secret);
      return postAnswers[await submitToken(deps, args.sid, clientSecret, args.token)];
    },
  });

  // The link in the email: no authentication on either version, a page for people.
  route({
    method: "GET",
    path: "/validate/email/submitToken",
    versions,
    args: Type.Object({
      token: Type.Optional(Type.String()),
      sid: Type.Optional(Type.String()),
      client_secret: Type.Optional(Type.String()),
      nextLink: Type.Optional(Type.String()),
    }),
    handler: async ({ args, req, reply }) => {
      const brand = brandOf(req);
      const { token, sid, client_secret: clientSecret } = args;
      if (token === undefined || sid === undefined || !isValidClientSecret(clientSecret)) {
        return sendVerifyPage(reply, deps.verifyPages, brand, { message: VERIFY_EMAIL_FAILURE, status: 400 });
      }
      if ((await submitToken(deps, sid, clientSecret, token)) !== "validated") {
        return sendVerifyPage(reply, deps.verifyPages, brand, { message: VERIFY_EMAIL_FAILURE, status: 200 });
      }
      const location = await redirectTarget(deps.store.sessions, parseSid(sid) ?? -1, args.nextLink);
      return sendVerifyPage(reply, deps.verifyPages, brand, {
        message: VERIFY_SUCCESS,
        ...(location === undefined ? { status: 200 } : { status: 302, location }),
      });
    },
  });
}
