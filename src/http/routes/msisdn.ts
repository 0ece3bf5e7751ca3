// Phone validation (behaviour §1.9, §1.10): requestToken, the client's POST submitToken, and the
// GET submitToken page (always a 500 in Sydent; here what Sydent's code meant to do). Synapse
// calls the v1 POST endpoints when it delegates SMS to an identity server.
import Type from "typebox";
import { redirectTarget } from "../../domain/next-link.js";
import { parsePhone, invalidPhoneNumber } from "../../domain/phone.js";
import { enforceRateLimit, type RateLimiter } from "../../domain/ratelimit.js";
import { requestMsisdnToken, type MsisdnSessionDeps } from "../../domain/sessions-msisdn.js";
import {
  isValidClientSecret,
  parseSid,
  sessionExpired,
  submitToken,
  type TokenCheck,
} from "../../domain/sessions.js";
import { MatrixError } from "../../errors.js";
import type { VerifyResponsePages } from "../../senders/types.js";
import { brandOf } from "../client-ip.js";
import type { Route } from "../route.js";
import { VERIFY_SMS_FAILURE, VERIFY_SMS_INVALID, VERIFY_SUCCESS, sendVerifyPage } from "../verify-page.js";
import { clientSecretOf, sendAttemptOf } from "./session-args.js";

export interface MsisdnRouteDeps extends MsisdnSessionDeps {
  rateLimiter: RateLimiter;
  verifyPages: VerifyResponsePages;
}

const versions = ["v1", "v2"] as const;

/** A failed POST submitToken: Sydent's status codes, with `success: false` in the body. */
function failure(check: Exclude<TokenCheck, "validated">): MatrixError {
  const extra = { extra: { success: false } };
  switch (check) {
    case "wrong_secret":
      return new MatrixError(
        "M_INVALID_PARAM",
        "Client secret does not match the one given when requesting the token",
        extra,
      );
    case "expired":
      return new MatrixError("M_SESSION_EXPIRED", sessionExpired().message, extra);
    case "unknown_sid":
      return new MatrixError("M_INVALID_PARAM", "The token doesn't match", extra);
    case "wrong_token":
      // Spec v1.18's code (Sydent: 404 M_NO_VALID_SESSION): Synapse, relaying this endpoint for SMS
      // delegation, tells the user "Token incorrect" only for this code.
      return new MatrixError("M_TOKEN_INCORRECT", "The token is incorrect", extra);
  }
}

export function msisdnRoutes(route: Route, deps: MsisdnRouteDeps): void {
  route({
    method: "POST",
    path: "/validate/msisdn/requestToken",
    versions,
    auth: "terms",
    args: Type.Object({
      phone_number: Type.Unknown(),
      country: Type.Unknown(),
      client_secret: Type.Unknown(),
      send_attempt: Type.Unknown(),
      next_link: Type.Optional(Type.String()),
    }),
    handler: async ({ args }) => {
      const sendAttempt = sendAttemptOf(args.send_attempt);
      const clientSecret = clientSecretOf(args.client_secret);
      const { phone_number: number, country } = args;
      if (typeof number !== "string" || typeof country !== "string") throw invalidPhoneNumber();
      const phone = parsePhone(number, country);
      await enforceRateLimit(deps.rateLimiter, "msisdn", phone.msisdn, "Limit exceeded for this number");
      await enforceRateLimit(
        deps.rateLimiter,
        "country",
        phone.countryCode,
        "Limit exceeded for this country",
      );
      const sid = await requestMsisdnToken(deps, {
        phone,
        clientSecret,
        sendAttempt,
        nextLink: args.next_link,
      });
      return { success: true, sid: String(sid), msisdn: phone.msisdn, intl_fmt: phone.intlFmt };
    },
  });

  route({
    method: "POST",
    path: "/validate/msisdn/submitToken",
    versions,
    auth: "terms",
    args: Type.Object({ token: Type.Unknown(), sid: Type.Unknown(), client_secret: Type.Unknown() }),
    handler: async ({ args }) => {
      const clientSecret = clientSecretOf(args.client_secret);
      const check = await submitToken(deps, args.sid, clientSecret, args.token);
      if (check !== "validated") throw failure(check);
      return { success: true };
    },
  });

  route({
    method: "GET",
    path: "/validate/msisdn/submitToken",
    versions,
    args: Type.Object({
      token: Type.Optional(Type.String()),
      sid: Type.Optional(Type.String()),
      client_secret: Type.Optional(Type.String()),
      next_link: Type.Optional(Type.String()),
    }),
    handler: async ({ args, req, reply }) => {
      const brand = brandOf(req);
      const { token, sid, client_secret: clientSecret } = args;
      if (token === undefined || sid === undefined || clientSecret === undefined) {
        return sendVerifyPage(reply, deps.verifyPages, brand, { message: VERIFY_SMS_INVALID, status: 400 });
      }
      if (
        !isValidClientSecret(clientSecret) ||
        (await submitToken(deps, sid, clientSecret, token)) !== "validated"
      ) {
        return sendVerifyPage(reply, deps.verifyPages, brand, { message: VERIFY_SMS_FAILURE, status: 400 });
      }
      const location = await redirectTarget(deps.store.sessions, parseSid(sid) ?? -1, args.next_link);
      return sendVerifyPage(reply, deps.verifyPages, brand, {
        message: VERIFY_SUCCESS,
        ...(location === undefined ? { status: 200 } : { status: 302, location }),
      });
    },
  });
}
