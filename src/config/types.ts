// The typed configuration every other module reads. Built once at start by config/load.ts from
// sydent.conf (Sydent's keys and meanings) plus Cairn's own sections; never read from disk again.

export type EmailTlsMode = "plain" | "starttls" | "tls";

export type SmsProvider = "openmarket" | "twilio";

export interface SmsOriginator {
  /** Type of number: `long` (TON 1), `short` (TON 3) or `alpha` (TON 5). */
  type: "long" | "short" | "alpha";
  text: string;
}

export interface Config {
  /** Path of the config file read (absolute), for messages and rewrites. */
  path: string;
  general: {
    /** `server.name`; the machine's hostname when the file leaves it empty (as Sydent). */
    serverName: string;
    logPath: string;
    logLevel: "debug" | "info" | "warn" | "error" | "fatal";
    pidfilePath: string;
    termsPath: string;
    addressLookupLimit: number;
    templatesPath: string;
    defaultBrand: string;
    prometheusPort: number | null;
    prometheusAddr: string | null;
    sentryDsn: string | null;
    enableV1Access: boolean;
    enableV1Associations: boolean;
    deleteTokensOnBind: boolean;
    /** CIDRs; empty means the built-in list (§7.7). */
    ipBlacklist: string[];
    ipWhitelist: string[];
    homeserverAllowList: string[];
  };
  db: {
    /** `db.file`: SQLite path, `:memory:` allowed. Used when `postgres.url` is empty. */
    file: string;
  };
  postgres: {
    /** Cairn: `[postgres] url`; non-empty selects PostgreSQL instead of SQLite. */
    url: string;
    /** Cairn: `[postgres] pool_size`, connections per instance. */
    poolSize: number;
  };
  replication: {
    /** Cairn: `[replication] push_interval_ms`. */
    pushIntervalMs: number;
    /** Cairn: `[replication] push_batch_size`, associations per push request. */
    pushBatchSize: number;
    /** Cairn: `[replication] max_backoff_ms`, the cap of a failing peer's retry delay. */
    maxBackoffMs: number;
  };
  invites: {
    /** Cairn: `[invites] expiry_days`, how long a pending invitation lasts. */
    expiryDays: number;
  };
  onbind: {
    /** Cairn: `[onbind] give_up_after_hours`, how long a bind notification is retried. */
    giveUpAfterHours: number;
  };
  http: {
    clientBindAddress: string;
    clientPort: number;
    internalBindAddress: string;
    /** `null` when `internalapi.http.port` is empty: no internal listener. */
    internalPort: number | null;
    replicationCertFile: string;
    replicationCaCertFile: string;
    /** Cairn: `clientapi.https.certfile` / `keyfile`; both empty (plain HTTP) or both set. */
    clientCertFile: string;
    clientKeyFile: string;
    replicationBindAddress: string;
    replicationPort: number;
    obeyXForwardedFor: boolean;
    /** Cairn: `trusted_proxies`, CIDR ranges; empty: every peer may set X-Forwarded-For (Sydent). */
    trustedProxies: string[];
    federationVerifyCerts: boolean;
    clientHttpBase: string;
    verifyResponseTemplate: string | null;
    /** `[peer.<name>] base_replication_url`, by peer name. */
    baseReplicationUrls: Record<string, string>;
  };
  email: {
    template: string | null;
    inviteTemplate: string | null;
    from: string;
    subject: string;
    inviteSubject: string;
    inviteSubjectSpace: string;
    smtpHost: string;
    smtpPort: number;
    smtpUsername: string;
    smtpPassword: string;
    /** EHLO name and Message-ID domain; the machine's FQDN when empty. */
    hostname: string;
    tlsMode: EmailTlsMode;
    defaultWebClientLocation: string;
    usernameObfuscateCharacters: number;
    domainObfuscateCharacters: number;
    homeserverBlocklist: string[];
    roomBlocklist: string[];
    /** Case-folded. */
    keywordBlocklist: string[];
    senderRatelimitBurst: number;
    senderRatelimitRateHz: number;
    /** Cairn: `email.smtp_timeout_ms`, the limit for connecting and for each SMTP exchange. */
    smtpTimeoutMs: number;
  };
  sms: {
    bodyTemplate: string;
    username: string;
    password: string;
    /** By country calling code (as a string) or `default`. */
    originators: Record<string, SmsOriginator[]>;
    /** By country calling code: `allow` or `reject`. */
    smsRules: Record<string, "allow" | "reject">;
    msisdnRatelimitBurst: number;
    msisdnRatelimitRateHz: number;
    countryRatelimitBurst: number;
    countryRatelimitRateHz: number;
    /** Cairn: `provider`. */
    provider: SmsProvider;
    /** Cairn: `openmarket.base_url`, the full endpoint URL. */
    openmarketUrl: string;
    /** Cairn: `twilio.*`; all set when `provider` is `twilio`. */
    twilio: { accountSid: string; authToken: string; from: string; baseUrl: string };
  };
  crypto: {
    /** `[crypto] ed25519.signingkey`, parsed. */
    signingKey: { version: string; seed: Buffer };
  };
}
