// Email validation end to end: Cairn's configured mailer delivering to a real SMTP server started
// here; the token and link are read from the delivered message. SMTP failures of every kind give
// Sydent's 500 M_EMAIL_SEND_ERROR quickly and keep the session.
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { engines } from "../../../test/deps.js";
import { delivered, emailConf } from "../../../test/mail.js";
import { sessionApp, V1, V2, USER_TOKEN, type SessionApp } from "../../../test/sessions.js";
import { silentServer, startSmtpServer } from "../../../test/smtp.js";
import { testCa } from "../../../test/tls.js";
import { freePort } from "../../../test/process.js";
import { createMailer } from "../../senders/mailer.js";
import { smtpSettings } from "../../senders/senders.js";
import { smtpTransport } from "../../senders/smtp.js";
import { BrandTemplates, templateSettings } from "../../senders/templates.js";
import { CWD } from "../../../test/memory-fs.js";

const REQUEST = `${V1}/validate/email/requestToken`;
const BASE = "https://id.cairn.test";

const json = (res: { json(): unknown }) => res.json() as Record<string, unknown>;

for (const engine of engines()) {
  describe(`${engine}: email validation over real SMTP`, () => {
    const cleanups: (() => Promise<void>)[] = [];
    after(async () => {
      for (const c of cleanups.reverse()) await c();
    });

    async function setup(extra: Record<string, string | number> = {}, smtpPort?: number) {
      const smtp = await startSmtpServer();
      cleanups.push(() => smtp.close());
      const s = await sessionApp({
        engine,
        conf: emailConf(smtpPort ?? smtp.port, BASE, extra),
        mailer: "real",
      });
      cleanups.push(() => s.close());
      return { smtp, s };
    }

    test("request, read the token from the message, submit it, getValidated3pid", async () => {
      const { smtp, s } = await setup();
      const res = await s.app.inject({
        method: "POST",
        url: REQUEST,
        payload: { email: "Grace.Hopper+IS@Example.COM", client_secret: "grace-1", send_attempt: 1 },
      });
      assert.equal(res.statusCode, 200, res.body);
      const sid = json(res).sid as string;
      const mail = await delivered(smtp);
      assert.deepEqual(mail.to, ["Grace.Hopper+IS@Example.COM"]);
      assert.equal(mail.subject, "Confirm your email address");
      assert.equal(
        mail.link,
        `${BASE}${V1}/validate/email/submitToken?token=${mail.token}&client_secret=grace-1&sid=${sid}`,
      );
      assert.ok(mail.text.includes("127.0.0.1"), "the client's address is in the message");

      const submit = await s.app.inject({
        method: "POST",
        url: `${V1}/validate/email/submitToken`,
        payload: { sid, client_secret: "grace-1", token: mail.token },
      });
      assert.deepEqual(json(submit), { success: true });
      const got = await s.app.inject({ url: `${V1}/3pid/getValidated3pid?sid=${sid}&client_secret=grace-1` });
      assert.deepEqual(json(got), {
        medium: "email",
        address: "Grace.Hopper+IS@Example.COM",
        validated_at: s.deps.clock.now(),
      });

      const again = await s.app.inject({
        method: "POST",
        url: `${V2}/validate/email/requestToken`,
        headers: { authorization: `Bearer ${USER_TOKEN}` },
        payload: { email: "Grace.Hopper+IS@Example.COM", client_secret: "grace-1", send_attempt: 2 },
      });
      assert.equal(json(again).sid, sid);
      assert.equal((await delivered(smtp)).token, mail.token, "the same token is sent again");
    });

    test("an address Sydent refuses: 400 M_INVALID_EMAIL, nothing sent", async () => {
      const { smtp, s } = await setup();
      for (const email of ["not@an@email@address", "Naughty Nigel <perfectly.valid@mail.address>"]) {
        const res = await s.app.inject({
          method: "POST",
          url: REQUEST,
          payload: { email, client_secret: "x", send_attempt: 1 },
        });
        assert.equal(res.statusCode, 400, email);
        assert.deepEqual(json(res), { errcode: "M_INVALID_EMAIL", error: "Invalid email address" });
      }
      assert.equal(smtp.received.length, 0);
    });

    const sendError = { errcode: "M_EMAIL_SEND_ERROR", error: "Failed to send email" };

    async function assertSendFails(s: SessionApp, email: string) {
      const started = Date.now();
      const res = await s.app.inject({
        method: "POST",
        url: REQUEST,
        payload: { email, client_secret: "s", send_attempt: 1 },
      });
      assert.equal(res.statusCode, 500);
      assert.deepEqual(json(res), sendError, "no stack, no detail");
      assert.ok(Date.now() - started < 5000, "no hang");
      const session = await s.deps.store.sessions.find("email", email, "s");
      assert.ok(session, "the session stays");
      assert.equal(session.sendAttemptNumber, -1);
    }

    test("SMTP refused: 500 M_EMAIL_SEND_ERROR, the session stays", async () => {
      const { s } = await setup({}, await freePort());
      await assertSendFails(s, "refused@example.org");
    });

    test("SMTP server that never answers: gives up after the timeout", async () => {
      const silent = await silentServer();
      cleanups.push(() => silent.close());
      const { s } = await setup({ "email.smtp_timeout_ms": 300 }, silent.port);
      await assertSendFails(s, "hang@example.org");
    });

    test("SMTP server that takes the message but never confirms it: timeout", async () => {
      const hanging = await startSmtpServer({}, { hangAfterData: true });
      cleanups.push(() => hanging.close());
      const { smtp, s } = await setup({ "email.smtp_timeout_ms": 300 }, hanging.port);
      await assertSendFails(s, "late@example.org");
      assert.equal(smtp.received.length, 0);
    });

    /** An app mailing over implicit TLS to a server whose certificate (from a CA it trusts) names `certHost`. */
    async function tlsSetup(certHost: string) {
      const ca = testCa();
      const smtpTls = await startSmtpServer({ secure: true, ...ca.issue({ dns: [certHost] }) });
      cleanups.push(() => smtpTls.close());
      const conf = emailConf(smtpTls.port, BASE, { "email.tlsmode": "TLS" });
      const probe = await sessionApp({ engine, conf });
      const config = probe.deps.config;
      await probe.close();
      const mailer = createMailer({
        config,
        templates: new BrandTemplates(templateSettings(config, CWD)),
        smtp: smtpTransport({ ...smtpSettings(config.email), host: "localhost", ca: ca.cert }),
        clock: probe.deps.clock,
        random: probe.deps.random,
      });
      const s = await sessionApp({ engine, conf, mailer });
      cleanups.push(() => s.close());
      return { smtpTls, s };
    }

    test("implicit TLS: a certificate for the host is accepted, one for another host refused", async () => {
      const good = await tlsSetup("localhost");
      const ok = await good.s.app.inject({
        method: "POST",
        url: REQUEST,
        payload: { email: "tls@example.org", client_secret: "s", send_attempt: 1 },
      });
      assert.equal(ok.statusCode, 200, ok.body);
      assert.equal(good.smtpTls.received.length, 1);

      const bad = await tlsSetup("other.example");
      await assertSendFails(bad.s, "tls@example.org");
      assert.equal(bad.smtpTls.received.length, 0);
    });
  });
}
