// Every config file of the fixtures, read as the newest Sydent read it (conf-variants/effective-config.json),
// and the files Sydent wrote, reproduced byte for byte.
import assert from "node:assert/strict";
import { createPrivateKey, createPublicKey } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { fixturePath } from "../../test/fixtures.js";
import { CWD, FQDN, GENERATED_SEED, loadOptions, MemoryFs } from "../../test/memory-fs.js";
import { loadConfig } from "./load.js";
import { formatSigningKeyLine } from "./signing-key-line.js";
import type { Config } from "./types.js";
import { parseTlsMode } from "./values.js";

type Effective = Record<string, Record<string, unknown>> & {
  file_rewritten_by_sydent: boolean;
  file_after_parse?: string;
};
const effective = JSON.parse(
  readFileSync(fixturePath("conf-variants", "effective-config.json"), "utf8"),
) as Record<string, Effective>;

const FILES: Record<string, string> = {
  current: "current/sydent.conf",
  v0: "v0/sydent.conf",
  v1: "v1/sydent.conf",
  v2: "v2/sydent.conf",
  v3: "v3/sydent.conf",
  v4: "v4/sydent.conf",
  v5: "v5/sydent.conf",
  "v2.6.1-first-run": "conf-variants/v2.6.1-first-run.conf",
  "hex-signing-key-2014-format": "conf-variants/hex-signing-key-2014-format.conf",
  "hand-written-no-key": "conf-variants/hand-written-no-key.conf",
};

const PYTHON_LEVEL = { debug: "DEBUG", info: "INFO", warn: "WARNING", error: "ERROR", fatal: "CRITICAL" };

/** The public key of a seed, unpadded base64 (to compare with what Sydent derived). */
function publicKey(seed: Buffer): string {
  const pkcs8 = Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), seed]);
  const spki = createPublicKey(createPrivateKey({ key: pkcs8, format: "der", type: "pkcs8" }));
  return spki.export({ format: "der", type: "spki" }).subarray(-32).toString("base64").replace(/=+$/, "");
}

/** Our Config in the field names and value forms of effective-config.json. */
function asSydent(c: Config): Record<string, Record<string, unknown>> {
  const { general: g, http: h, email: e, sms: s } = c;
  return {
    general: {
      server_name: g.serverName,
      templates_path: g.templatesPath,
      default_brand: g.defaultBrand,
      pidfile: g.pidfilePath,
      terms_path: g.termsPath,
      address_lookup_limit: g.addressLookupLimit,
      log_path: g.logPath,
      log_level: PYTHON_LEVEL[g.logLevel],
      delete_tokens_on_bind: g.deleteTokensOnBind,
      enable_v1_access: g.enableV1Access,
      enable_v1_associations: g.enableV1Associations,
      homeserver_allow_list: g.homeserverAllowList,
      prometheus_enabled: g.prometheusPort !== null && g.prometheusAddr !== null,
      sentry_enabled: g.sentryDsn !== null,
    },
    db: { database_path: c.db.file },
    http: {
      client_bind_address: h.clientBindAddress,
      client_port: h.clientPort,
      internal_bind_address: h.internalBindAddress,
      internal_port: h.internalPort,
      cert_file: h.replicationCertFile,
      ca_cert_file: h.replicationCaCertFile,
      replication_bind_address: h.replicationBindAddress,
      replication_port: h.replicationPort,
      obey_x_forwarded_for: h.obeyXForwardedFor,
      verify_federation_certs: h.federationVerifyCerts,
      server_http_url_base: h.clientHttpBase,
      base_replication_urls: h.baseReplicationUrls,
      verify_response_template: h.verifyResponseTemplate,
    },
    email: {
      template: e.template,
      invite_template: e.inviteTemplate,
      sender: e.from,
      smtp_server: e.smtpHost,
      smtp_port: String(e.smtpPort),
      smtp_username: e.smtpUsername,
      host_name: e.hostname,
      validation_subject: e.subject,
      invite_subject: e.inviteSubject,
      invite_subject_space: e.inviteSubjectSpace,
      default_web_client_location: e.defaultWebClientLocation,
      username_obfuscate_characters: e.usernameObfuscateCharacters,
      domain_obfuscate_characters: e.domainObfuscateCharacters,
      third_party_invite_keyword_blocklist: [...e.keywordBlocklist].sort(),
      email_sender_ratelimit_burst: e.senderRatelimitBurst,
      email_sender_ratelimit_rate_hz: e.senderRatelimitRateHz,
    },
    sms: {
      body_template: s.bodyTemplate,
      api_username: s.username,
      originators: s.originators,
      smsRules: s.smsRules,
      msisdn_ratelimit_burst: s.msisdnRatelimitBurst,
    },
    crypto: {
      signing_key_alg: "ed25519",
      signing_key_version: c.crypto.signingKey.version,
      public_key_base64: publicKey(c.crypto.signingKey.seed),
    },
  };
}

/** Sydent's recorded values, placeholders replaced and fields we do not model dropped. */
function expected(variant: Effective): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const section of ["general", "db", "http", "email", "sms", "crypto"]) {
    out[section] = { ...variant[section] };
  }
  const { general, email, crypto } = out as Record<string, Record<string, unknown>>;
  delete general?.valid_brands; // the template module lists brand directories, not the config
  delete email?.tls_mode; // compared separately: we keep the parsed mode
  delete crypto?.seed_base64; // compared through the public key (some are "<generated at parse time>")
  if (email?.host_name === "<socket.getfqdn()>") email.host_name = FQDN;
  if (Array.isArray(email?.third_party_invite_keyword_blocklist))
    email.third_party_invite_keyword_blocklist.sort();
  return out;
}

async function loadFixture(relative: string, seed: Buffer = GENERATED_SEED) {
  const path = `${CWD}/sydent.conf`;
  const original = readFileSync(fixturePath(relative), "utf8");
  const fs = new MemoryFs({ [path]: original }, [`${CWD}/res`]);
  const loaded = await loadConfig(loadOptions(fs, { generateSeed: () => Buffer.from(seed) }));
  return { original, fs, loaded, path };
}

/** The seed of the key Sydent wrote into a file (to generate the same key it generated). */
const writtenSeed = (text: string): Buffer =>
  Buffer.from(/ed25519\.signingkey = ed25519 0 (\S+)/.exec(text)?.[1] ?? "", "base64");

describe("effective values of every fixture config (newest Sydent's reading)", () => {
  for (const [name, relative] of Object.entries(FILES)) {
    test(name, async () => {
      const variant = effective[name];
      assert.ok(variant, `effective-config.json has ${name}`);
      const after = variant.file_after_parse;
      const { loaded, fs } = await loadFixture(
        relative,
        typeof after === "string" ? writtenSeed(after) : undefined,
      );
      assert.deepEqual(asSydent(loaded.config), expected(variant));
      assert.equal(loaded.config.email.tlsMode, parseTlsMode(String(variant.email?.tls_mode)));
      assert.equal(loaded.written !== null, variant.file_rewritten_by_sydent);
      assert.equal(fs.writes.length, variant.file_rewritten_by_sydent ? 1 : 0);
      assert.deepEqual(loaded.warnings, []);
    });
  }
});

describe("writing the key back keeps the operator's file", () => {
  test("hand-written, no key: the file gains a [crypto] section with a new key and nothing else changes", async () => {
    const { original, fs, loaded, path } = await loadFixture(FILES["hand-written-no-key"] ?? "");
    assert.equal(loaded.written, "key-generated");
    const line = "ed25519 0 " + GENERATED_SEED.toString("base64").replace(/=+$/, "");
    assert.deepEqual(fs.writes, [{ path, text: `${original}\n[crypto]\ned25519.signingkey = ${line}\n` }]);
    assert.deepEqual(loaded.config.crypto.signingKey, { version: "0", seed: GENERATED_SEED });
  });

  test("2014 hex key: only the key line changes, to the same seed in today's form", async () => {
    const { original, fs, loaded } = await loadFixture(FILES["hex-signing-key-2014-format"] ?? "");
    assert.equal(loaded.written, "key-converted");
    const before = original.split("\n");
    const after = fs.writes[0]?.text.split("\n") ?? [];
    assert.equal(after.length, before.length);
    const changed = before.flatMap((l, i) => (l === after[i] ? [] : [[l, after[i]]]));
    assert.deepEqual(changed, [
      [
        "ed25519.signingkey = 47f4a49693ecd1652f6f229436674e5f5924ae611b4c411997d4d9a8200d005e",
        "ed25519.signingkey = ed25519 0 R/SklpPs0WUvbyKUNmdOX1kkrmEbTEEZl9TZqCANAF4",
      ],
    ]);
  });

  test("a rewritten file loads to the same config and is not written again", async () => {
    for (const relative of [FILES["hand-written-no-key"] ?? "", FILES["hex-signing-key-2014-format"] ?? ""]) {
      const { fs, loaded } = await loadFixture(relative);
      const again = await loadConfig(loadOptions(fs, { generateSeed: () => Buffer.alloc(32, 9) }));
      assert.deepEqual(again.config, loaded.config);
      assert.equal(again.written, null);
      assert.equal(fs.writes.length, 1);
    }
  });
});

describe("first start without a file", () => {
  const firstRun = async (fixture: string, env: Record<string, string>, relative: string) => {
    const reference = readFileSync(fixturePath(fixture), "utf8");
    const seedText = /ed25519\.signingkey = ed25519 0 (\S+)/.exec(reference)?.[1] ?? "";
    const fs = new MemoryFs({}, [`${CWD}/res`]);
    const loaded = await loadConfig(
      loadOptions(fs, { env, generateSeed: () => Buffer.from(seedText, "base64") }),
    );
    return { reference, fs, loaded, path: `${CWD}/${relative}` };
  };

  test("writes current/sydent.conf byte for byte (SYDENT_SERVER_NAME set, Sydent's key)", async () => {
    const { reference, fs, loaded, path } = await firstRun(
      "current/sydent.conf",
      { SYDENT_SERVER_NAME: "fixture.example.org" },
      "sydent.conf",
    );
    assert.equal(loaded.written, "created");
    assert.deepEqual(fs.writes, [{ path, text: reference }]);
    assert.equal(loaded.config.path, path);
    assert.equal(loaded.config.general.serverName, "fixture.example.org");
    assert.equal(
      formatSigningKeyLine(loaded.config.crypto.signingKey),
      reference.match(/ed25519 0 \S+/)?.[0],
    );
  });

  test("every SYDENT_* variable: the peer's first-run file byte for byte", async () => {
    const env = {
      SYDENT_SERVER_NAME: "peer.example.net",
      SYDENT_CONF: "peer.conf",
      SYDENT_DB_PATH: "peer.db",
      SYDENT_PID_FILE: "peer.pid",
    };
    const { reference, fs, loaded, path } = await firstRun("current/peer/peer.conf", env, "peer.conf");
    assert.deepEqual(fs.writes, [{ path, text: reference }]);
    assert.equal(loaded.config.db.file, "peer.db");
    assert.equal(loaded.config.general.pidfilePath, "peer.pid");
  });

  test("without SYDENT_SERVER_NAME the name stays empty in the file and the hostname is used, with a warning", async () => {
    const { fs, loaded } = await firstRun("current/sydent.conf", {}, "sydent.conf");
    assert.match(fs.writes[0]?.text ?? "", /^\[general\]\nserver\.name = \nlog\.path = \n/);
    assert.equal(loaded.config.general.serverName, "machine");
    assert.equal(loaded.warnings.length, 1);
    assert.match(
      loaded.warnings[0] ?? "",
      /\[general\] server\.name: not set: using this machine's name 'machine'/,
    );
  });
});
