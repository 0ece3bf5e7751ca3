// How values combine: built-in defaults, environment, [DEFAULT], sections; warnings; where the file is.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { fixturePath } from "../../test/fixtures.js";
import { CWD, FQDN, loadOptions, MemoryFs } from "../../test/memory-fs.js";
import { loadConfig, type LoadConfigOptions, type LoadedConfig } from "./load.js";

const PATH = `${CWD}/sydent.conf`;
const KEY = "[crypto]\ned25519.signingkey = ed25519 0 AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8\n";

async function load(
  text: string,
  extra: Partial<LoadConfigOptions> = {},
  fs = new MemoryFs(),
): Promise<LoadedConfig> {
  fs.files.set(PATH, `${text}\n${KEY}`);
  fs.directories.add(`${CWD}/res`);
  return loadConfig(loadOptions(fs, extra));
}

describe("layering (Sydent #590)", () => {
  test("the file's [DEFAULT] beats built-ins, a section beats [DEFAULT]", async () => {
    const { config } = await load(
      "[DEFAULT]\nserver.name = d.example\nlog.level = ERROR\n[general]\nlog.level = DEBUG\n",
    );
    assert.equal(config.general.serverName, "d.example");
    assert.equal(config.general.logLevel, "debug");
  });

  test("SYDENT_* variables are defaults: used when the file is silent, overridden when it speaks", async () => {
    const env = {
      SYDENT_SERVER_NAME: "env.example",
      SYDENT_DB_PATH: "/data/env.db",
      SYDENT_PID_FILE: "/run/env.pid",
    };
    const silent = await load("[general]\n", { env });
    assert.equal(silent.config.general.serverName, "env.example");
    assert.equal(silent.config.db.file, "/data/env.db");
    assert.equal(silent.config.general.pidfilePath, "/run/env.pid");
    const spoken = await load("[general]\nserver.name = file.example\n[db]\ndb.file = file.db\n", { env });
    assert.equal(spoken.config.general.serverName, "file.example");
    assert.equal(spoken.config.db.file, "file.db");
  });

  test("interpolation reaches built-in defaults through [DEFAULT]", async () => {
    const { config } = await load(
      "[DEFAULT]\nroot = /var/lib/sydent\n[db]\ndb.file = %(root)s/%(pidfile.path)s.db\n",
    );
    assert.equal(config.db.file, "/var/lib/sydent/sydent.pid.db");
  });

  test("invite subjects are raw: a lone % is no error there", async () => {
    const { config } = await load("[email]\nemail.invite.subject_space = 100% %(sender_display_name)s\n");
    assert.equal(config.email.inviteSubjectSpace, "100% %(sender_display_name)s");
  });

  test("originators, sms rules and peer URLs also come from [DEFAULT], as in Sydent", async () => {
    const text =
      "[DEFAULT]\noriginators.default = alpha:Matrix\nbase_replication_url = https://r.example\n[peer.a]\n";
    const { config } = await load(text);
    assert.deepEqual(config.sms.originators, { default: [{ type: "alpha", text: "Matrix" }] });
    assert.deepEqual(config.http.baseReplicationUrls, { a: "https://r.example" });
  });
});

describe("optional keys", () => {
  test("prometheus, sentry and the deprecated template paths are null unless present; present may be empty", async () => {
    const off = await load("[general]\n");
    assert.deepEqual(
      [off.config.general.prometheusPort, off.config.general.prometheusAddr, off.config.general.sentryDsn],
      [null, null, null],
    );
    assert.equal(off.config.email.template, null);
    const on = await load(
      "[general]\nprometheus_port = 9090\nprometheus_addr =\nsentry_dsn =\n[email]\nemail.template = t.eml\n",
    );
    assert.deepEqual(
      [on.config.general.prometheusPort, on.config.general.prometheusAddr, on.config.general.sentryDsn],
      [9090, "", ""],
    );
    assert.equal(on.config.email.template, "t.eml");
  });

  test("Cairn's SMS provider and SMTP timeout keys: defaults, and Twilio when chosen", async () => {
    const { config } = await load("");
    assert.equal(config.email.smtpTimeoutMs, 30000);
    assert.equal(config.sms.provider, "openmarket");
    assert.equal(config.sms.openmarketUrl, "https://smsc.openmarket.com/sms/v4/mt");
    assert.deepEqual(config.sms.twilio, {
      accountSid: "",
      authToken: "",
      from: "",
      baseUrl: "https://api.twilio.com",
    });
    const twilio = await load(
      "[general]\nserver.name = id.example\n[sms]\nprovider = twilio\ntwilio.account_sid = AC1\ntwilio.auth_token = t%%k\ntwilio.from = Example\n" +
        "twilio.base_url = http://127.0.0.1:9/\n[email]\nemail.smtp_timeout_ms = 250\n",
    );
    assert.equal(twilio.config.sms.provider, "twilio");
    assert.deepEqual(twilio.config.sms.twilio, {
      accountSid: "AC1",
      authToken: "t%k",
      from: "Example",
      baseUrl: "http://127.0.0.1:9/",
    });
    assert.equal(twilio.config.email.smtpTimeoutMs, 250);
    assert.deepEqual(twilio.warnings, []);
  });

  test("the internal API port: empty is no listener", async () => {
    assert.equal((await load("[http]\n")).config.http.internalPort, null);
    assert.equal((await load("[http]\ninternalapi.http.port = 8190\n")).config.http.internalPort, 8190);
  });

  test("email.hostname: the machine's FQDN only when empty", async () => {
    let asked = 0;
    const fqdn = async () => {
      asked += 1;
      return FQDN;
    };
    assert.equal((await load("[email]\n", { fqdn })).config.email.hostname, FQDN);
    assert.equal(
      (await load("[email]\nemail.hostname = mx.example\n", { fqdn })).config.email.hostname,
      "mx.example",
    );
    assert.equal(asked, 1);
  });

  test("keyword block-list: folded by the given function, repeats removed", async () => {
    const text = "[email]\nemail.third_party_invite_keyword_blocklist = Evil\n  EVIL\n  straße\n";
    const { config } = await load(text, { casefold: (s) => s.toLowerCase().replaceAll("ß", "ss") });
    assert.deepEqual(config.email.keywordBlocklist, ["evil", "strasse"]);
    const unfolded = await load(text);
    assert.deepEqual(unfolded.config.email.keywordBlocklist, ["Evil", "EVIL", "straße"]);
  });

  test("IP lists: CIDRs kept, single addresses widened; [postgres] read", async () => {
    const text =
      "[general]\nip.whitelist = 127.0.0.0/8, ::1,192.0.2.1,\n[postgres]\nurl = postgres://u@db/x\npool_size = 4\n";
    const { config } = await load(text);
    assert.deepEqual(config.general.ipWhitelist, ["127.0.0.0/8", "::1/128", "192.0.2.1/32"]);
    assert.deepEqual(config.postgres, { url: "postgres://u@db/x", poolSize: 4 });
  });

  test("[replication]: Sydent's pace by default, Cairn's keys read", async () => {
    const defaults = await load("[general]\n");
    assert.deepEqual(defaults.config.replication, {
      pushIntervalMs: 10_000,
      pushBatchSize: 100,
      maxBackoffMs: 300_000,
    });
    const { config } = await load("[replication]\npush_interval_ms = 250\npush_batch_size = 7\n");
    assert.deepEqual(config.replication, { pushIntervalMs: 250, pushBatchSize: 7, maxBackoffMs: 300_000 });
  });

  test("the runtime config of the fixtures (internal API, replication certificates, whitelist)", async () => {
    const fs = new MemoryFs({ [`${CWD}/certs/ca.crt`]: "-----BEGIN CERTIFICATE-----\n..." });
    fs.files.set(PATH, readFileSync(fixturePath("current", "sydent.runtime.conf"), "utf8"));
    fs.directories.add(`${CWD}/res`);
    const { config, written, warnings } = await loadConfig(loadOptions(fs));
    assert.deepEqual([written, warnings], [null, []]);
    assert.equal(config.general.termsPath, "terms.yaml");
    assert.deepEqual(config.general.ipWhitelist, ["127.0.0.0/8"]);
    assert.equal(config.http.internalBindAddress, "127.0.0.1");
    assert.equal(config.http.internalPort, 8190);
    assert.equal(config.http.replicationCertFile, "certs/fixture.example.org.pem");
    assert.equal(config.http.federationVerifyCerts, false);
    assert.equal(config.email.senderRatelimitBurst, 100);
  });
});

describe("warnings", () => {
  test("missing templates directory, unknown options and sections, useless country codes", async () => {
    const text = [
      "[DEFAULT]",
      "anything = goes",
      "[general]",
      "templates.path = nowhere",
      "clientapi.http.prot = 1",
      "base = /srv",
      "log.path = %(base)s/log",
      "[sms]",
      "originators.+44 = alpha:X",
      "smsrule.default = reject",
      "[peer.p]",
      "base_replication_url = https://p.example",
      "colour = blue",
      "[extras]",
      "x = 1",
    ].join("\n");
    const { warnings } = await load(text);
    assert.deepEqual(warnings, [
      `${PATH}:5: [general] clientapi.http.prot: unknown option, ignored`,
      `${PATH}:13: [peer.p] colour: unknown option, ignored`,
      `${PATH}:14: unknown section [extras], ignored`,
      `${PATH}: [general] server.name: not set: using this machine's name 'machine'. Set it: it signs every association and must be the name homeservers and peers use.`,
      `${PATH}:4: [general] templates.path: the directory 'nowhere' does not exist: emails and pages can only use the deprecated explicit template paths.`,
      `${PATH}:9: [sms] originators.+44: '+44' is not a country calling code or 'default': never used`,
      `${PATH}:10: [sms] smsrule.default: 'default' is not a country calling code: never used`,
    ]);
  });
});

test("trusted_proxies without obey_x_forwarded_for is a warning; with it, normalised ranges", async () => {
  const unused = await load("[http]\ntrusted_proxies = 10.0.0.1\n");
  assert.ok(
    unused.warnings.includes(
      `${PATH}:2: [http] trusted_proxies: unused: X-Forwarded-For is ignored unless obey_x_forwarded_for is on`,
    ),
    unused.warnings.join("\n"),
  );
  const used = await load("[http]\nobey_x_forwarded_for = true\ntrusted_proxies = 10.0.0.1, fd00::/8\n");
  assert.deepEqual(used.config.http.trustedProxies, ["10.0.0.1/32", "fd00::/8"]);
  assert.ok(!used.warnings.some((w) => w.includes("trusted_proxies")));
});

describe("where the file is", () => {
  test("an explicit path beats SYDENT_CONF, which beats sydent.conf; all relative to the working directory", async () => {
    const fs = new MemoryFs({
      [`${CWD}/sydent.conf`]: `[general]\nserver.name = plain\n${KEY}`,
      [`${CWD}/conf/env.conf`]: `[general]\nserver.name = env\n${KEY}`,
      "/etc/explicit.conf": `[general]\nserver.name = explicit\n${KEY}`,
    });
    const name = async (extra: Partial<LoadConfigOptions>) =>
      (await loadConfig(loadOptions(fs, extra))).config.general.serverName;
    assert.equal(await name({}), "plain");
    assert.equal(await name({ env: { SYDENT_CONF: "conf/env.conf" } }), "env");
    assert.equal(
      await name({ env: { SYDENT_CONF: "conf/env.conf" }, path: "/etc/explicit.conf" }),
      "explicit",
    );
    const { config } = await loadConfig(loadOptions(fs, { env: { SYDENT_CONF: "conf/env.conf" } }));
    assert.equal(config.path, `${CWD}/conf/env.conf`);
  });
});
