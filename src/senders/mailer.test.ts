// The Mailer: Sydent's common variables, the recipient check after rendering, the envelope, and a
// full delivery of the packaged brand's email to a real SMTP server, read back with mailparser.
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { simpleParser } from "mailparser";
import { fixedClock } from "../clock.js";
import { randomFromBytes } from "../crypto/random.js";
import { MatrixError } from "../errors.js";
import { FIXTURE_NOW, testConfig, testDeps } from "../../test/deps.js";
import { startSmtpServer } from "../../test/smtp.js";
import { createMailer, formatMailDate, identityServerUrl, senderOf } from "./mailer.js";
import type { SmtpEnvelope, SmtpTransport } from "./smtp.js";
import { EmailSendError, type EmailTemplate } from "./types.js";

/** A Random whose bytes count up from 0: predictable draws. */
function countingRandom() {
  let next = 0;
  return randomFromBytes((n) => Buffer.from(Array.from({ length: n }, () => next++ % 256)));
}

interface Captured {
  rendered: { template: EmailTemplate; brand: string | undefined; vars: Record<string, string> }[];
  sent: { envelope: SmtpEnvelope; message: string }[];
  count: number;
}

async function fakeMailer(conf: Parameters<typeof testConfig>[0] = {}, smtpError?: Error) {
  const config = await testConfig({
    email: { "email.hostname": "id.example.org", "email.from": "Cairn <noreply@{hostname}>" },
    ...conf,
  });
  const captured: Captured = { rendered: [], sent: [], count: 0 };
  const smtp: SmtpTransport = {
    async send(envelope, message, onSending) {
      if (smtpError) throw smtpError;
      onSending?.();
      captured.sent.push({ envelope, message });
    },
  };
  const mailer = createMailer({
    config,
    templates: {
      renderEmail(template, brand, vars) {
        captured.rendered.push({ template, brand, vars: { ...vars } });
        return `rendered for ${vars.to}`;
      },
    },
    smtp,
    clock: fixedClock(FIXTURE_NOW + 999),
    random: countingRandom(),
    onSending: () => (captured.count += 1),
  });
  return { mailer, captured };
}

describe("formatMailDate (Python's email.utils.formatdate, UTC)", () => {
  // Computed with Python 3.11: formatdate(t, localtime=False) for t = 1796414400.999, 0, 951782400.
  test("RFC 2822 with -0000, seconds truncated", () => {
    assert.equal(formatMailDate(1796414400999), "Fri, 04 Dec 2026 20:00:00 -0000");
    assert.equal(formatMailDate(0), "Thu, 01 Jan 1970 00:00:00 -0000");
    assert.equal(formatMailDate(951782400000), "Tue, 29 Feb 2000 00:00:00 -0000");
  });
});

describe("the Mailer", () => {
  test("adds Sydent's common variables, which win over the caller's, and identity_server_url", async () => {
    const { mailer, captured } = await fakeMailer({ http: { client_http_base: "https://id.example.org/" } });
    await mailer.send({
      template: "verification_template.eml",
      brand: "vector-im",
      to: "Alice+x@Example.ORG",
      vars: {
        link: "L",
        token: "T",
        to: "caller",
        from: "caller",
        messageid: "caller",
        identity_server_url: "x",
      },
    });
    const [call] = captured.rendered;
    assert.ok(call);
    assert.equal(call.template, "verification_template.eml");
    assert.equal(call.brand, "vector-im");
    const { messageid, multipart_boundary, ...rest } = call.vars;
    assert.deepEqual(rest, {
      link: "L",
      token: "T",
      to: "Alice+x@Example.ORG",
      from: "Cairn <noreply@id.example.org>",
      date: "Fri, 04 Dec 2026 20:00:00 -0000",
      identity_server_url: "https://id.example.org",
    });
    // 16 letters, then 32 alphanumerics, drawn from the injected Random (bytes 0, 1, 2, ...).
    assert.equal(messageid, `<${FIXTURE_NOW + 999}abcdefghijklmnop@id.example.org>`);
    assert.equal(multipart_boundary, "ghijklmnopqrstuvwxyzABCDEFGHIJKL");
    assert.deepEqual(captured.sent, [
      {
        envelope: { from: "noreply@id.example.org", to: "Alice+x@Example.ORG" },
        message: "rendered for Alice+x@Example.ORG",
      },
    ]);
    assert.equal(captured.count, 1);
  });

  test("identity_server_url falls back to https://<server.name>", async () => {
    const config = await testConfig({ general: { "server.name": "id.example.net" } });
    assert.equal(identityServerUrl(config), "https://id.example.net");
  });

  test("{hostname} in email.from is replaced (Sydent sent it literally)", async () => {
    const config = await testConfig({ email: { "email.hostname": "mx.example.org" } });
    assert.equal(senderOf(config.email), "Sydent Validation <noreply@mx.example.org>");
  });

  for (const address of ["Naughty Nigel <perfectly.valid@mail.address>", "not@an@email@address", ""]) {
    test(`refuses ${JSON.stringify(address)} after rendering, sending nothing`, async () => {
      const { mailer, captured } = await fakeMailer();
      await assert.rejects(
        mailer.send({ template: "verification_template.eml", brand: undefined, to: address, vars: {} }),
        (err: unknown) =>
          err instanceof MatrixError &&
          err.errcode === "M_INVALID_EMAIL" &&
          err.message === "Invalid email address",
      );
      assert.equal(captured.rendered.length, 1, "rendered first, as Sydent");
      assert.equal(captured.sent.length + captured.count, 0);
    });
  }

  test("an SMTP failure propagates as EmailSendError", async () => {
    const { mailer } = await fakeMailer({}, new EmailSendError("refused"));
    await assert.rejects(
      mailer.send({ template: "invite_template.eml", brand: undefined, to: "a@b.c", vars: {} }),
      EmailSendError,
    );
  });
});

describe("the Mailer with the packaged brand and a real SMTP server", () => {
  const servers: { close(): Promise<void> }[] = [];
  after(() => Promise.all(servers.map((s) => s.close())));

  test("testDeps' mailer delivers a verification email that parses as intended", async () => {
    const server = await startSmtpServer();
    servers.push(server);
    const deps = await testDeps({
      conf: {
        email: {
          "email.smtphost": "127.0.0.1",
          "email.smtpport": server.port,
          "email.hostname": "id.example.org",
          "email.from": "Cairn <noreply@id.example.org>",
        },
        http: { client_http_base: "https://id.example.org" },
      },
    });
    after(() => deps.cleanup());
    const link =
      "https://id.example.org/_matrix/identity/api/v1/validate/email/submitToken?token=abc&client_secret=s&sid=1";
    await deps.mailer.send({
      template: "verification_template.eml",
      brand: undefined,
      to: "grace+x@example.com",
      vars: { link, token: "abc", ipaddress: "192.0.2.7" },
    });
    const [mail] = server.received;
    assert.ok(mail);
    assert.equal(mail.from, "noreply@id.example.org");
    assert.deepEqual(mail.to, ["grace+x@example.com"]);
    assert.equal(mail.helo, "id.example.org");
    const parsed = await simpleParser(mail.data);
    assert.equal(parsed.subject, "Confirm your email address");
    assert.deepEqual(parsed.from?.value, [{ name: "Cairn", address: "noreply@id.example.org" }]);
    assert.match(parsed.messageId ?? "", /^<\d{13}[A-Za-z]{16}@id\.example\.org>$/);
    assert.equal(parsed.date?.getTime(), FIXTURE_NOW);
    assert.ok(parsed.text?.includes(link), "the link in the text part");
    assert.ok(parsed.text?.includes("192.0.2.7"));
    assert.ok(typeof parsed.html === "string" && parsed.html.includes(link.replaceAll("&", "&amp;")));
    assert.equal((await deps.metrics.emailsSent.get()).values[0]?.value, 1, "sydent_emails_sent_total");
  });
});
