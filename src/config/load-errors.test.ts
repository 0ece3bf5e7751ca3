// Start-up-fatal configuration (behaviour notes §2.7): each condition, and all of them reported at once.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { CWD, loadOptions, MemoryFs } from "../../test/memory-fs.js";
import { loadConfig, type LoadConfigOptions } from "./load.js";
import { ConfigError } from "./problems.js";

const PATH = `${CWD}/sydent.conf`;
const KEY = "ed25519.signingkey = ed25519 0 AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";

/** Loads `text` (a [crypto] key is added unless the text has one) and returns the ConfigError. */
async function failure(
  text: string,
  extra: Partial<LoadConfigOptions> = {},
  fs = new MemoryFs(),
): Promise<ConfigError> {
  fs.files.set(PATH, text.includes("ed25519.signingkey") ? text : `${text}\n[crypto]\n${KEY}\n`);
  fs.directories.add(`${CWD}/res`);
  const error = await loadConfig(loadOptions(fs, extra)).then(
    () => assert.fail("the configuration was accepted"),
    (err: unknown) => err,
  );
  assert.ok(error instanceof ConfigError, String(error));
  assert.deepEqual(fs.writes, [], "nothing is written when the configuration is refused");
  return error;
}

describe("each start-up-fatal condition", () => {
  const cases: [string, string, RegExp][] = [
    [
      "homeserver_allow_list with the v1 API on",
      "[general]\nhomeserver_allow_list = hs.example\n",
      /sydent\.conf:2: \[general\] homeserver_allow_list: a homeserver allow list only works with the v1 API off/,
    ],
    [
      "an unparseable email.from",
      "[email]\nemail.from = Sydent Validation\n",
      /:2: \[email\] email\.from: invalid email address "Sydent Validation"/,
    ],
    ["an empty email.from", "[email]\nemail.from =\n", /\[email\] email\.from: invalid email address ""/],
    [
      "malformed originators",
      "[sms]\noriginators.44 = long:1:2\n",
      /:2: \[sms\] originators\.44: originators must be/,
    ],
    ["an unknown originator type", "[sms]\noriginators.1 = big:1\n", /invalid originator type "big"/],
    ["a bad sms rule", "[sms]\nsmsrule.1 = deny\n", /:2: \[sms\] smsrule\.1: invalid SMS rule "deny"/],
    [
      "an invalid blacklist CIDR",
      "[general]\nip.blacklist = 10.0.0.0/8, nope\n",
      /\[general\] ip\.blacklist: not an IP/,
    ],
    [
      "an invalid whitelist prefix",
      "[general]\nip.whitelist = ::1/129\n",
      /\[general\] ip\.whitelist: bad prefix/,
    ],
    [
      "a non-numeric int",
      "[general]\naddress_lookup_limit = lots\n",
      /address_lookup_limit: not an integer: "lots"/,
    ],
    ["a non-numeric float", "[sms]\nmsisdn.ratelimit.rate_hz = 1/3600\n", /rate_hz: not a number: "1\/3600"/],
    ["a rate of zero", "[email]\nemail.ratelimit_sender.rate_hz = 0\n", /rate_hz: must be a number above 0/],
    [
      "a bad ConfigParser boolean",
      "[http]\nobey_x_forwarded_for = maybe\n",
      /obey_x_forwarded_for: not a boolean: "maybe"/,
    ],
    [
      "an empty ConfigParser boolean",
      "[http]\nfederation.verifycerts =\n",
      /federation\.verifycerts: not a boolean: ""/,
    ],
    [
      "a missing replication CA file",
      "[http]\nreplication.https.cacert = certs/ca.crt\n",
      /replication\.https\.cacert: CA certificate file 'certs\/ca\.crt' does not exist/,
    ],
    [
      "an invalid trusted proxy",
      "[http]\ntrusted_proxies = 10.0.0.1, proxy.example\n",
      /:2: \[http\] trusted_proxies: not an IP address or CIDR range: "proxy\.example"/,
    ],
    [
      "an invalid log level",
      "[general]\nlog.level = LOUD\n",
      /:2: \[general\] log\.level: unknown log level "LOUD"/,
    ],
    [
      "a malformed signing key",
      "[crypto]\ned25519.signingkey = ed25519 0 short\n",
      /:2: \[crypto\] ed25519\.signingkey: .*32 bytes/,
    ],
    [
      "a bad % in a value",
      "[email]\nemail.smtppassword = 50%\n",
      /:2: \[email\] email\.smtppassword: '%' must be followed/,
    ],
    [
      "a duplicate key",
      "[http]\nclientapi.http.port = 1\nClientAPI.http.port = 2\n",
      /:3: \[http\] clientapi\.http\.port: option given twice/,
    ],
    [
      "a duplicate section",
      "[http]\n[db]\n[http]\n",
      /:3: \[http\] section \[http\] already appears on line 1/,
    ],
    [
      "a port out of range",
      "[http]\nclientapi.http.port = 65536\n",
      /clientapi\.http\.port: 65536 is out of range: must be 0 to 65535/,
    ],
    [
      "an SMTP port of 0",
      "[email]\nemail.smtpport = 0\n",
      /email\.smtpport: 0 is out of range: must be 1 to 65535/,
    ],
    ["an empty prometheus_port", "[general]\nprometheus_port =\n", /prometheus_port: not an integer: ""/],
    [
      "a bad peer URL",
      "[peer.p.example]\nbase_replication_url = p.example:4434\n",
      /\[peer\.p\.example\] base_replication_url: URL scheme/,
    ],
    [
      "a bad PostgreSQL URL",
      "[postgres]\nurl = mysql://db/x\n",
      /\[postgres\] url: URL scheme must be postgres or postgresql/,
    ],
    [
      "a PostgreSQL pool of 0",
      "[postgres]\npool_size = 0\n",
      /\[postgres\] pool_size: 0 is out of range: must be 1 to 1000/,
    ],
    [
      "a replication push interval below 10 ms",
      "[replication]\npush_interval_ms = 5\n",
      /\[replication\] push_interval_ms: 5 is out of range: must be 10 to 86400000/,
    ],
    ["an option before any section", "x = 1\n[general]\n", /sydent\.conf:1: option outside any section/],
    [
      "an unknown SMS provider",
      "[sms]\nprovider = carrier-pigeon\n",
      /:2: \[sms\] provider: unknown SMS provider/,
    ],
    [
      "a bad OpenMarket URL",
      "[sms]\nopenmarket.base_url = smsc.example/mt\n",
      /\[sms\] openmarket\.base_url: not a URL/,
    ],
    [
      "a bad Twilio URL",
      "[sms]\ntwilio.base_url = ftp://x.example\n",
      /\[sms\] twilio\.base_url: URL scheme/,
    ],
    [
      "an SMTP timeout of 0",
      "[email]\nemail.smtp_timeout_ms = 0\n",
      /email\.smtp_timeout_ms: 0 is out of range: must be at least 1/,
    ],
  ];
  for (const [name, text, message] of cases) {
    test(name, async () => {
      const error = await failure(text);
      assert.equal(error.problems.length, 1, error.message);
      assert.match(error.message, message);
    });
  }

  test("Twilio without its account, token or sender", async () => {
    const error = await failure("[sms]\nprovider = twilio\ntwilio.from = +447700900000\n");
    assert.deepEqual(
      error.problems.map((p) => `${p.key}: ${p.message}`),
      [
        "twilio.account_sid: must be set when provider = twilio",
        "twilio.auth_token: must be set when provider = twilio",
      ],
    );
  });

  test("a problem in [DEFAULT] is reported where it is written", async () => {
    const error = await failure("[DEFAULT]\nlog.level = LOUD\n[general]\n");
    assert.deepEqual(error.problems, [
      { file: PATH, line: 2, section: "DEFAULT", key: "log.level", message: error.problems[0]?.message },
    ]);
  });

  test("an unreadable CA file, or one without a certificate", async () => {
    const fs = new MemoryFs({ [`${CWD}/ca.pem`]: "not a certificate" });
    const error = await failure("[http]\nreplication.https.cacert = ca.pem\n", {}, fs);
    assert.match(error.message, /CA certificate file 'ca\.pem' holds no PEM certificate/);
    const locked = new MemoryFs();
    locked.unreadable.add(`${CWD}/ca.pem`);
    const denied = await failure("[http]\nreplication.https.cacert = ca.pem\n", {}, locked);
    assert.match(denied.message, /cannot read CA certificate 'ca\.pem': EACCES/);
  });

  test("an HTTPS certificate without a key, or a key without a certificate", async () => {
    const fs = () =>
      new MemoryFs({
        [`${CWD}/cert.pem`]: "-----BEGIN CERTIFICATE-----\n",
        [`${CWD}/key.pem`]: "-----BEGIN PRIVATE KEY-----\n",
      });
    const noKey = await failure("[http]\nclientapi.https.certfile = cert.pem\n", {}, fs());
    assert.deepEqual(
      noKey.problems.map((p) => `${p.line} ${p.key}: ${p.message}`),
      [
        "2 clientapi.https.certfile: HTTPS needs both a certificate and a key: set clientapi.https.keyfile too, or neither",
      ],
    );
    const noCert = await failure("[http]\nclientapi.https.keyfile = key.pem\n", {}, fs());
    assert.match(
      noCert.message,
      /\[http\] clientapi\.https\.keyfile: HTTPS needs both .* set clientapi\.https\.certfile too/,
    );
  });

  test("HTTPS files that are missing or hold the wrong thing", async () => {
    const fs = new MemoryFs({ [`${CWD}/key.pem`]: "-----BEGIN CERTIFICATE-----\n" });
    const conf = "[http]\nclientapi.https.certfile = cert.pem\nclientapi.https.keyfile = key.pem\n";
    const error = await failure(conf, {}, fs);
    assert.match(error.message, /clientapi\.https\.certfile: certificate file 'cert\.pem' does not exist/);
    assert.match(
      error.message,
      /clientapi\.https\.keyfile: private key file 'key\.pem' holds no PEM private key/,
    );
  });

  test("an unreadable config file", async () => {
    const fs = new MemoryFs();
    fs.unreadable.add(PATH);
    await assert.rejects(loadConfig(loadOptions(fs)), /sydent\.conf: cannot read the config file: EACCES/);
  });

  test("a key that cannot be saved stops the start (a new key at every start would be worse)", async () => {
    const fs = new MemoryFs({ [PATH]: "[general]\nserver.name = a.example\n" }, [`${CWD}/res`]);
    fs.writeText = () => {
      throw new Error("EROFS: read-only file system");
    };
    await assert.rejects(
      loadConfig(loadOptions(fs)),
      /\[crypto\] ed25519\.signingkey: cannot save the signing key: EROFS/,
    );
  });
});

describe("every problem in one error", () => {
  test("all are listed, each with the file, line, section and key", async () => {
    const text = [
      "[general]", //                                         1
      "log.level = LOUD", //                                  2
      "homeserver_allow_list = a.example", //                 3
      "ip.blacklist = 10.0.0.0/8, not-an-ip, 300.1.1.1", //   4
      "address_lookup_limit = lots", //                       5
      "[http]", //                                            6
      "clientapi.http.port = 70000", //                       7
      "obey_x_forwarded_for = maybe", //                      8
      "clientapi.http.port = 1", //                           9
      "[email]", //                                           10
      "email.from = not an address", //                       11
      "email.smtppassword = 50%", //                          12
      "[sms]", //                                             13
      "originators.44 = long:1:2", //                         14
      "smsrule.1 = deny", //                                  15
      "[crypto]", //                                          16
      "ed25519.signingkey = ed25519 0 short", //              17
      "[sms]", //                                             18
    ].join("\n");
    const error = await failure(text);
    const where = error.problems.map((p) => `${p.line} [${p.section}] ${p.key ?? ""}`);
    assert.deepEqual(where.sort(), [
      "11 [email] email.from",
      "12 [email] email.smtppassword",
      "14 [sms] originators.44",
      "15 [sms] smsrule.1",
      "17 [crypto] ed25519.signingkey",
      "18 [sms] ",
      "2 [general] log.level",
      "3 [general] homeserver_allow_list",
      "4 [general] ip.blacklist",
      "4 [general] ip.blacklist",
      "5 [general] address_lookup_limit",
      "7 [http] clientapi.http.port",
      "8 [http] obey_x_forwarded_for",
      "9 [http] clientapi.http.port",
    ]);
    const lines = error.message.split("\n");
    assert.match(lines[0] ?? "", /^Invalid configuration \(14 problems\):$/);
    for (const line of lines.slice(1)) assert.match(line, new RegExp(`^  ${PATH}:\\d+: \\[`));
  });
});
