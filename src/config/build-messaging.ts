// The [email] and [sms] parts of the Config.
import { isValidMailbox } from "./email-address.js";
import type { Reader } from "./reader.js";
import type { Config, SmsOriginator } from "./types.js";
import {
  BadValue,
  lineList,
  parseOriginators,
  parseSmsProvider,
  parseSmsRule,
  parseTlsMode,
  parseUrl,
} from "./values.js";

export function buildEmail(reader: Reader, casefold: (s: string) => string): Config["email"] {
  const e = "email";
  const from = reader.parsed(
    e,
    "email.from",
    (t) => {
      if (!isValidMailbox(t)) {
        throw new BadValue(
          `invalid email address ${JSON.stringify(t)}: expected "address@domain" or "Name <address@domain>"`,
        );
      }
      return t;
    },
    "",
  );
  const keywords = lineList(reader.string(e, "email.third_party_invite_keyword_blocklist")).map(casefold);
  return {
    template: reader.optional(e, "email.template") ?? null,
    inviteTemplate: reader.optional(e, "email.invite_template") ?? null,
    from,
    subject: reader.string(e, "email.subject"),
    inviteSubject: reader.string(e, "email.invite.subject"),
    inviteSubjectSpace: reader.string(e, "email.invite.subject_space"),
    smtpHost: reader.string(e, "email.smtphost"),
    smtpPort: reader.port(e, "email.smtpport", 1),
    smtpUsername: reader.string(e, "email.smtpusername"),
    smtpPassword: reader.string(e, "email.smtppassword"),
    // Empty is resolved to the machine's FQDN by loadConfig (a name lookup, hence not here).
    hostname: reader.string(e, "email.hostname"),
    tlsMode: parseTlsMode(reader.string(e, "email.tlsmode")),
    defaultWebClientLocation: reader.string(e, "email.default_web_client_location"),
    usernameObfuscateCharacters: reader.int(e, "email.third_party_invite_username_obfuscate_characters", 0),
    domainObfuscateCharacters: reader.int(e, "email.third_party_invite_domain_obfuscate_characters", 0),
    homeserverBlocklist: lineList(reader.string(e, "email.third_party_invite_homeserver_blocklist")),
    roomBlocklist: lineList(reader.string(e, "email.third_party_invite_room_blocklist")),
    keywordBlocklist: [...new Set(keywords)],
    senderRatelimitBurst: reader.int(e, "email.ratelimit_sender.burst", 0),
    senderRatelimitRateHz: reader.rate(e, "email.ratelimit_sender.rate_hz"),
    smtpTimeoutMs: reader.int(e, "email.smtp_timeout_ms", 1),
  };
}

const COUNTRY_CODE = /^[0-9]{1,3}$/;

export function buildSms(reader: Reader): Config["sms"] {
  const s = "sms";
  const originators: Record<string, SmsOriginator[]> = {};
  const smsRules: Record<string, "allow" | "reject"> = {};
  // Like Sydent, options inherited from [DEFAULT] count too.
  for (const option of reader.lookup.options(s)) {
    const [prefix, country] = splitOnce(option);
    if (prefix !== "originators" && prefix !== "smsrule") continue;
    if (!COUNTRY_CODE.test(country) && !(prefix === "originators" && country === "default")) {
      const or = prefix === "originators" ? " or 'default'" : "";
      reader.warn(s, option, `'${country}' is not a country calling code${or}: never used`);
    }
    const value = reader.string(s, option);
    if (prefix === "originators") {
      originators[country] = reader.convert(s, option, value, parseOriginators, []);
    } else {
      smsRules[country] = reader.convert(s, option, value, parseSmsRule, "allow");
    }
  }
  return {
    bodyTemplate: reader.string(s, "bodyTemplate"),
    username: reader.string(s, "username"),
    password: reader.string(s, "password"),
    originators,
    smsRules,
    msisdnRatelimitBurst: reader.int(s, "msisdn.ratelimit.burst", 0),
    msisdnRatelimitRateHz: reader.rate(s, "msisdn.ratelimit.rate_hz"),
    countryRatelimitBurst: reader.int(s, "country.ratelimit.burst", 0),
    countryRatelimitRateHz: reader.rate(s, "country.ratelimit.rate_hz"),
    ...buildSmsProvider(reader),
  };
}

const HTTP_SCHEMES = ["https:", "http:"];

function buildSmsProvider(reader: Reader): Pick<Config["sms"], "provider" | "openmarketUrl" | "twilio"> {
  const s = "sms";
  const url = (key: string) => reader.parsed(s, key, (t) => parseUrl(t, HTTP_SCHEMES), "");
  const provider = reader.parsed(s, "provider", parseSmsProvider, "openmarket");
  const twilio = {
    accountSid: reader.string(s, "twilio.account_sid"),
    authToken: reader.string(s, "twilio.auth_token"),
    from: reader.string(s, "twilio.from"),
    baseUrl: url("twilio.base_url"),
  };
  if (provider === "twilio") {
    for (const [key, value] of [
      ["twilio.account_sid", twilio.accountSid],
      ["twilio.auth_token", twilio.authToken],
      ["twilio.from", twilio.from],
    ] as const) {
      if (value === "") reader.fail(s, key, "must be set when provider = twilio");
    }
  }
  return { provider, openmarketUrl: url("openmarket.base_url"), twilio };
}

function splitOnce(option: string): [string, string] {
  const dot = option.indexOf(".");
  return dot < 0 ? [option, ""] : [option.slice(0, dot), option.slice(dot + 1)];
}
