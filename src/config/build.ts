// From option text to the typed Config (all but the file path and the signing key, which load.ts
// handles): each key read as Sydent reads it, with Sydent's start-up checks and Cairn's own.
import { resolve } from "node:path";
import { buildEmail, buildSms } from "./build-messaging.js";
import type { Reader } from "./reader.js";
import type { Config } from "./types.js";
import { BadValue, commaList, parseCidr, parseLogLevel, parseUrl } from "./values.js";

/** The file system as the configuration needs it. */
export interface ConfigFs {
  /** The file's text, or `null` when there is no such file; any other failure throws. */
  readText(path: string): string | null;
  writeText(path: string, text: string): void;
  isDirectory(path: string): boolean;
}

export interface BuildContext {
  reader: Reader;
  /** Directory relative paths are resolved against (Sydent's working directory). */
  cwd: string;
  fs: ConfigFs;
  hostname: () => string;
  casefold: (s: string) => string;
}

export type BuiltConfig = Omit<Config, "path" | "crypto">;

export function buildConfig(ctx: BuildContext): BuiltConfig {
  return {
    general: buildGeneral(ctx),
    db: { file: ctx.reader.string("db", "db.file") },
    postgres: {
      url: ctx.reader.parsed("postgres", "url", (t) => (t === "" ? t : parseUrl(t, POSTGRES_SCHEMES)), ""),
      poolSize: ctx.reader.int("postgres", "pool_size", 1, 1000),
    },
    replication: {
      pushIntervalMs: ctx.reader.int("replication", "push_interval_ms", 10, 86_400_000),
      pushBatchSize: ctx.reader.int("replication", "push_batch_size", 1, 10_000),
      maxBackoffMs: ctx.reader.int("replication", "max_backoff_ms", 10, 86_400_000),
    },
    invites: { expiryDays: ctx.reader.int("invites", "expiry_days", 1, 36_500) },
    onbind: { giveUpAfterHours: ctx.reader.int("onbind", "give_up_after_hours", 1, 8760) },
    http: buildHttp(ctx),
    email: buildEmail(ctx.reader, ctx.casefold),
    sms: buildSms(ctx.reader),
  };
}

const POSTGRES_SCHEMES = ["postgres:", "postgresql:"];

function buildGeneral({ reader, cwd, fs, hostname }: BuildContext): Config["general"] {
  const g = "general";
  let serverName = reader.string(g, "server.name");
  if (serverName === "") {
    serverName = hostname();
    reader.warn(
      g,
      "server.name",
      `not set: using this machine's name '${serverName}'. ` +
        "Set it: it signs every association and must be the name homeservers and peers use.",
    );
  }
  const templatesPath = reader.string(g, "templates.path");
  if (!fs.isDirectory(resolve(cwd, templatesPath))) {
    reader.warn(
      g,
      "templates.path",
      `the directory '${templatesPath}' does not exist: ` +
        "emails and pages can only use the deprecated explicit template paths.",
    );
  }
  const cidrs = (key: string): string[] => cidrList(reader, g, key);

  const enableV1Access = reader.sydentBool(g, "enable_v1_access");
  const homeserverAllowList = commaList(reader.string(g, "homeserver_allow_list"));
  if (homeserverAllowList.length > 0 && enableV1Access) {
    reader.fail(
      g,
      "homeserver_allow_list",
      "a homeserver allow list only works with the v1 API off: set [general] enable_v1_access = false",
    );
  }
  const present = (key: string): boolean => reader.lookup.raw(g, key) !== undefined;
  return {
    serverName,
    logPath: reader.string(g, "log.path"),
    logLevel: reader.parsed(g, "log.level", parseLogLevel, "info"),
    pidfilePath: reader.string(g, "pidfile.path"),
    termsPath: reader.string(g, "terms.path"),
    addressLookupLimit: reader.int(g, "address_lookup_limit", 0),
    templatesPath,
    defaultBrand: reader.string(g, "brand.default"),
    prometheusPort: present("prometheus_port") ? reader.port(g, "prometheus_port") : null,
    prometheusAddr: present("prometheus_addr") ? reader.string(g, "prometheus_addr") : null,
    sentryDsn: present("sentry_dsn") ? reader.string(g, "sentry_dsn") : null,
    enableV1Access,
    enableV1Associations: enableV1Access && reader.sydentBool(g, "enable_v1_associations"),
    deleteTokensOnBind: reader.sydentBool(g, "delete_tokens_on_bind"),
    ipBlacklist: cidrs("ip.blacklist"),
    ipWhitelist: cidrs("ip.whitelist"),
    homeserverAllowList,
  };
}

function buildHttp({ reader, cwd, fs }: BuildContext): Config["http"] {
  const h = "http";
  const internalPort = reader.string(h, "internalapi.http.port");
  const pemFile = (key: string, what: string, holds: typeof CERTIFICATE): string => {
    const path = reader.string(h, key);
    return path === ""
      ? ""
      : reader.convert(h, key, path, (p) => checkPemFile(fs, cwd, p, what, holds), path);
  };
  const [certKey, keyKey] = ["clientapi.https.certfile", "clientapi.https.keyfile"];
  if ((reader.string(h, certKey) === "") !== (reader.string(h, keyKey) === "")) {
    const [set, unset] = reader.string(h, certKey) === "" ? [keyKey, certKey] : [certKey, keyKey];
    reader.fail(h, set, `HTTPS needs both a certificate and a key: set ${unset} too, or neither`);
  }
  const obeyXForwardedFor = reader.bool(h, "obey_x_forwarded_for");
  const trustedProxies = cidrList(reader, h, "trusted_proxies");
  if (trustedProxies.length > 0 && !obeyXForwardedFor) {
    reader.warn(h, "trusted_proxies", "unused: X-Forwarded-For is ignored unless obey_x_forwarded_for is on");
  }
  return {
    clientBindAddress: reader.string(h, "clientapi.http.bind_address"),
    clientPort: reader.port(h, "clientapi.http.port"),
    internalBindAddress: reader.string(h, "internalapi.http.bind_address"),
    internalPort: internalPort === "" ? null : reader.port(h, "internalapi.http.port"),
    replicationCertFile: reader.string(h, "replication.https.certfile"),
    replicationCaCertFile: pemFile("replication.https.cacert", "CA certificate", CERTIFICATE),
    clientCertFile: pemFile(certKey, "certificate", CERTIFICATE),
    clientKeyFile: pemFile(keyKey, "private key", PRIVATE_KEY),
    replicationBindAddress: reader.string(h, "replication.https.bind_address"),
    replicationPort: reader.port(h, "replication.https.port"),
    obeyXForwardedFor,
    trustedProxies,
    federationVerifyCerts: reader.bool(h, "federation.verifycerts"),
    clientHttpBase: reader.string(h, "client_http_base"),
    verifyResponseTemplate: reader.optional(h, "verify_response_template") ?? null,
    baseReplicationUrls: peerUrls(reader),
  };
}

/** `[peer.<name>] base_replication_url` (also inherited from `[DEFAULT]`, as in Sydent). */
function peerUrls(reader: Reader): Record<string, string> {
  const urls: Record<string, string> = {};
  for (const section of reader.lookup.sectionNames()) {
    if (!section.startsWith("peer.") || reader.lookup.raw(section, "base_replication_url") === undefined)
      continue;
    const url = reader.optional(section, "base_replication_url") ?? "";
    urls[section.slice("peer.".length)] = reader.convert(
      section,
      "base_replication_url",
      url,
      (t) => parseUrl(t, ["https:", "http:"]),
      url,
    );
  }
  return urls;
}

/** A comma-separated list of IP addresses or CIDR ranges, each normalised to `address/bits`. */
function cidrList(reader: Reader, section: string, key: string): string[] {
  return commaList(reader.string(section, key)).flatMap((entry) =>
    reader.convert(section, key, entry, (t) => [parseCidr(t)], []),
  );
}

const CERTIFICATE = { name: "certificate", marker: /-----BEGIN CERTIFICATE-----/ };
const PRIVATE_KEY = { name: "private key", marker: /-----BEGIN [A-Z ]*PRIVATE KEY-----/ };

/**
 * A PEM file named by the config must be readable and hold what it should, or Cairn does not start
 * (Sydent refuses an unloadable CA file likewise). Returns `path`.
 */
function checkPemFile(
  fs: ConfigFs,
  cwd: string,
  path: string,
  what: string,
  holds: { name: string; marker: RegExp },
): string {
  let text: string | null;
  try {
    text = fs.readText(resolve(cwd, path));
  } catch (err) {
    throw new BadValue(`cannot read ${what} '${path}': ${err instanceof Error ? err.message : String(err)}`);
  }
  if (text === null) throw new BadValue(`${what} file '${path}' does not exist`);
  if (!holds.marker.test(text)) throw new BadValue(`${what} file '${path}' holds no PEM ${holds.name}`);
  return path;
}
