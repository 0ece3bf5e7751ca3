// SMTP delivery against a real SMTP server on loopback: each TLS mode, certificate and host name
// checks, AUTH, refusals, hanging servers, and the exact DATA bytes compared with Sydent's.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { fixturePath } from "../../test/fixtures.js";
import { recordingProxy, silentServer, startSmtpServer, type TestSmtpServer } from "../../test/smtp.js";
import { testCa } from "../../test/tls.js";
import { smtpTransport, toCrlf, type SmtpSettings } from "./smtp.js";
import { EmailSendError } from "./types.js";

const ca = testCa();
const localhost = ca.issue({ dns: ["localhost"], ip: ["127.0.0.1"] });
const elsewhere = ca.issue({ dns: ["mail.example.org"] });
const stranger = testCa("Someone else's CA").issue({ dns: ["localhost"], ip: ["127.0.0.1"] });

const MESSAGE = "From: a@example.org\nTo: b@example.org\nSubject: hi\n\nHello\n.dot line\nbye";
const ENVELOPE = { from: "noreply@id.example.org", to: "b+x@example.org" };

function settings(port: number, extra: Partial<SmtpSettings> = {}): SmtpSettings {
  return {
    host: "127.0.0.1",
    port,
    tlsMode: "plain",
    username: "",
    password: "",
    heloName: "id.example.org",
    timeoutMs: 5000,
    ca: ca.cert,
    ...extra,
  };
}

async function refused(promise: Promise<void>, pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof EmailSendError, String(err));
    assert.match(err.message, pattern);
    return true;
  });
}

const servers: TestSmtpServer[] = [];
async function server(...args: Parameters<typeof startSmtpServer>): Promise<TestSmtpServer> {
  const s = await startSmtpServer(...args);
  servers.push(s);
  return s;
}
after(() => Promise.all(servers.map((s) => s.close())));

describe("SMTP delivery", () => {
  test("plain: envelope, EHLO name and the message with CRLF line ends; no upgrade even when offered", async () => {
    const s = await server({ key: localhost.key, cert: localhost.cert });
    await smtpTransport(settings(s.port)).send(ENVELOPE, MESSAGE);
    const [mail] = s.received;
    assert.ok(mail);
    assert.equal(mail.from, "noreply@id.example.org");
    assert.deepEqual(mail.to, ["b+x@example.org"]);
    assert.equal(mail.helo, "id.example.org");
    assert.equal(mail.secure, false);
    assert.equal(mail.data.toString("utf8"), `${toCrlf(MESSAGE)}\r\n`);
  });

  test("STARTTLS: the connection is upgraded, the certificate checked", async () => {
    const s = await server({ key: localhost.key, cert: localhost.cert });
    await smtpTransport(settings(s.port, { tlsMode: "starttls" })).send(ENVELOPE, MESSAGE);
    assert.equal(s.received[0]?.secure, true);
  });

  test("STARTTLS is required: a server without it gets nothing", async () => {
    const s = await server({ disabledCommands: ["STARTTLS"] });
    await refused(
      smtpTransport(settings(s.port, { tlsMode: "starttls" })).send(ENVELOPE, MESSAGE),
      /STARTTLS/,
    );
    assert.equal(s.received.length, 0);
  });

  test("implicit TLS", async () => {
    const s = await server({ secure: true, key: localhost.key, cert: localhost.cert });
    await smtpTransport(settings(s.port, { tlsMode: "tls" })).send(ENVELOPE, MESSAGE);
    assert.equal(s.received[0]?.secure, true);
  });

  test("the certificate must name the configured host (a DNS name here)", async () => {
    const s = await server({ secure: true, key: localhost.key, cert: localhost.cert });
    await smtpTransport(settings(s.port, { tlsMode: "tls", host: "localhost" })).send(ENVELOPE, MESSAGE);
    assert.equal(s.received.length, 1);
  });

  test("a certificate for another host name is refused (implicit TLS and STARTTLS)", async () => {
    const tls = await server({ secure: true, key: elsewhere.key, cert: elsewhere.cert });
    await refused(
      smtpTransport(settings(tls.port, { tlsMode: "tls" })).send(ENVELOPE, MESSAGE),
      /IP|altnames|match/i,
    );
    const starttls = await server({ key: elsewhere.key, cert: elsewhere.cert });
    await refused(
      smtpTransport(settings(starttls.port, { tlsMode: "starttls" })).send(ENVELOPE, MESSAGE),
      /IP|altnames|match/i,
    );
    assert.equal(tls.received.length + starttls.received.length, 0);
  });

  test("a certificate from an untrusted CA is refused", async () => {
    const s = await server({ secure: true, key: stranger.key, cert: stranger.cert });
    await refused(
      smtpTransport(settings(s.port, { tlsMode: "tls" })).send(ENVELOPE, MESSAGE),
      /certificate/i,
    );
    assert.equal(s.received.length, 0);
  });

  describe("AUTH", () => {
    const onAuth: Parameters<typeof startSmtpServer>[0] = {
      authOptional: false,
      onAuth(auth, _session, callback) {
        if (auth.username === "cairn" && auth.password === "s3cret %") callback(null, { user: "cairn" });
        else callback(new Error("Invalid username or password"));
      },
    };

    test("logs in when a user name is set", async () => {
      const s = await server(onAuth);
      await smtpTransport(settings(s.port, { username: "cairn", password: "s3cret %" })).send(
        ENVELOPE,
        MESSAGE,
      );
      assert.equal(s.received[0]?.user, "cairn");
    });

    test("a wrong password is a send error", async () => {
      const s = await server(onAuth);
      await refused(
        smtpTransport(settings(s.port, { username: "cairn", password: "nope" })).send(ENVELOPE, MESSAGE),
        /login.*Invalid username or password/,
      );
      assert.equal(s.received.length, 0);
    });

    test("without a user name there is no login (and this server refuses the mail)", async () => {
      const s = await server(onAuth);
      await refused(smtpTransport(settings(s.port)).send(ENVELOPE, MESSAGE), /delivery.*auth/i);
    });

    test("a user name for a server that offers no AUTH is a send error", async () => {
      const s = await server({ disabledCommands: ["AUTH"] });
      await refused(
        smtpTransport(settings(s.port, { username: "cairn", password: "x" })).send(ENVELOPE, MESSAGE),
        /login/,
      );
      assert.equal(s.received.length, 0);
    });
  });

  test("a refused recipient (5xx) is a send error", async () => {
    const s = await server({
      onRcptTo(_address, _session, callback) {
        callback(Object.assign(new Error("No such user here"), { responseCode: 550 }));
      },
    });
    await refused(smtpTransport(settings(s.port)).send(ENVELOPE, MESSAGE), /550|No such user/);
    assert.equal(s.received.length, 0);
  });

  test("a refused sender (5xx) is a send error", async () => {
    const s = await server({
      onMailFrom(_address, _session, callback) {
        callback(Object.assign(new Error("Sender rejected"), { responseCode: 553 }));
      },
    });
    await refused(smtpTransport(settings(s.port)).send(ENVELOPE, MESSAGE), /Sender rejected/);
  });

  test("onSending runs once connected and logged in, before the envelope (where Sydent counts)", async () => {
    const counts: number[] = [];
    const count = async (port: number, extra: Partial<SmtpSettings> = {}) => {
      let n = 0;
      await smtpTransport(settings(port, extra))
        .send(ENVELOPE, MESSAGE, () => (n += 1))
        .catch(() => {});
      counts.push(n);
    };
    const ok = await server();
    const refusing = await server({
      onRcptTo(_address, _session, callback) {
        callback(Object.assign(new Error("No"), { responseCode: 550 }));
      },
    });
    const auth = await server({
      authOptional: false,
      onAuth: (_a, _s, callback) => callback(new Error("Bad")),
    });
    await count(ok.port);
    await count(refusing.port);
    await count(auth.port, { username: "u", password: "p" });
    assert.deepEqual(counts, [1, 1, 0]);
  });

  test("nothing listening is a send error", async () => {
    const s = await silentServer();
    const port = s.port;
    await s.close();
    await refused(smtpTransport(settings(port)).send(ENVELOPE, MESSAGE), /connection/);
  });

  describe("a hanging server times out, and does not hold up anything else", () => {
    let hanging: { port: number; close(): Promise<void> };
    before(async () => {
      hanging = await silentServer();
    });
    after(() => hanging.close());

    test("no greeting", async () => {
      const good = await server();
      const started = performance.now();
      let ticks = 0;
      const timer = setInterval(() => (ticks += 1), 20);
      const stuck = smtpTransport(settings(hanging.port, { timeoutMs: 300 })).send(ENVELOPE, MESSAGE);
      await smtpTransport(settings(good.port)).send(ENVELOPE, MESSAGE);
      assert.equal(good.received.length, 1, "another message went through meanwhile");
      await refused(stuck, /connection.*(timeout|greeting)/i);
      clearInterval(timer);
      const elapsed = performance.now() - started;
      assert.ok(elapsed < 3000, `gave up after ${elapsed} ms`);
      assert.ok(ticks >= 5, `the event loop ran meanwhile (${ticks} ticks)`);
    });

    test("no answer after the message", async () => {
      const s = await server({}, { hangAfterData: true });
      const started = performance.now();
      await refused(smtpTransport(settings(s.port, { timeoutMs: 300 })).send(ENVELOPE, MESSAGE), /timeout/i);
      assert.ok(performance.now() - started < 3000);
    });
  });
});

describe("the DATA sent equals Sydent's, with CRLF line ends", () => {
  // Sydent hands smtplib bare-LF bytes: smtplib dot-stuffs, and appends CRLF when the message does
  // not end in CRLF. Cairn sends the same with every line end as CRLF. The one other difference:
  // a message ending in a bare LF (the legacy templates) got an extra CRLF from smtplib, which left
  // an empty line after the final boundary; Cairn's copy ends with that line's CRLF alone.
  for (const brand of ["matrix-org", "vector-im"]) {
    for (const kind of ["eml.j2", "eml-legacy"]) {
      for (const name of ["verification", "invite", "invite-space"]) {
        test(`${brand} ${kind} ${name}`, async () => {
          const rendered = readFileSync(fixturePath("emails", brand, kind, `${name}.rendered`), "utf8");
          const sydent = readFileSync(fixturePath("emails", brand, kind, `${name}.smtp-data`), "utf8");
          const s = await server();
          const proxy = await recordingProxy(s.port);
          await smtpTransport(settings(proxy.port)).send(ENVELOPE, rendered);
          await proxy.close();
          const sent = proxy.fromClient().toString("utf8");
          const start = sent.indexOf("\r\nDATA\r\n") + "\r\nDATA\r\n".length;
          const data = sent.slice(start, sent.indexOf("\r\n.\r\n", start) + "\r\n.\r\n".length);
          const expected = toCrlf(sydent);
          assert.ok(expected.includes("\r\n..") || name === "verification" || kind === "eml-legacy");
          assert.equal(
            data,
            rendered.endsWith("\n") ? expected.replace(/\r\n\r\n\.\r\n$/, "\r\n.\r\n") : expected,
          );
        });
      }
    }
  }
});
