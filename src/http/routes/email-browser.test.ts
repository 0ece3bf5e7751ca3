// The emailed link opened the way a person opens it: headless Chromium, on a Cairn listening on a
// real loopback port, with the link read from the message a real SMTP server received.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { BrowserContext } from "playwright-core";
import { withBrowser } from "../../../test/browser.js";
import { engines } from "../../../test/deps.js";
import { startHttpServer, type TestHttpServer } from "../../../test/http-server.js";
import { delivered, emailConf } from "../../../test/mail.js";
import { freePort } from "../../../test/process.js";
import { sessionApp, V1, type SessionApp } from "../../../test/sessions.js";
import { startSmtpServer, type TestSmtpServer } from "../../../test/smtp.js";

const SUCCESS = "Verification successful! Please return to your Matrix client to continue.";
const FAILURE = "Verification failed: you may need to request another verification email";

for (const engine of engines()) {
  describe(`${engine}: the verification link in Chromium`, () => {
    let smtp: TestSmtpServer;
    let target: TestHttpServer;
    let s: SessionApp;

    before(async () => {
      smtp = await startSmtpServer();
      target = await startHttpServer(() => ({
        status: 200,
        headers: { "content-type": "text/html; charset=utf-8" },
        body: "<!DOCTYPE html><title>Client</title><h1>Welcome back</h1>",
      }));
      const port = await freePort();
      s = await sessionApp({
        engine,
        conf: emailConf(smtp.port, `http://127.0.0.1:${port}`),
        mailer: "real",
        verifyPages: "real",
      });
      await s.app.listen({ port, host: "127.0.0.1" });
    });
    after(async () => {
      await s.close();
      await smtp.close();
      await target.close();
    });

    async function requestLink(secret: string, nextLink?: string) {
      const res = await s.app.inject({
        method: "POST",
        url: `${V1}/validate/email/requestToken`,
        payload: { email: "reader@example.org", client_secret: secret, send_attempt: 1, next_link: nextLink },
      });
      assert.equal(res.statusCode, 200, res.body);
      return { sid: (res.json() as { sid: string }).sid, ...(await delivered(smtp)) };
    }

    const open = async (context: BrowserContext, url: string) => {
      const page = await context.newPage();
      const response = await page.goto(url);
      return { page, response };
    };

    test("the link validates and shows the success page; with next_link it lands on the client; a bad token fails", async () => {
      await withBrowser(async (context) => {
        const plain = await requestLink("plain-1");
        const first = await open(context, plain.link);
        assert.equal(first.response?.status(), 200);
        assert.equal((await first.page.textContent("main p"))?.trim(), SUCCESS);
        assert.equal((await s.deps.store.sessions.get(Number(plain.sid)))?.validated, true);

        const redirected = await requestLink("next-1", `${target.base}/landing`);
        const second = await open(context, redirected.link);
        assert.equal(second.page.url(), `${target.base}/landing?sid=${redirected.sid}`);
        assert.equal(await second.page.textContent("h1"), "Welcome back");
        assert.ok(target.requests.some((r) => r.url === `/landing?sid=${redirected.sid}`));
        assert.equal((await s.deps.store.sessions.get(Number(redirected.sid)))?.validated, true);

        const failing = await requestLink("bad-1");
        const badLink = failing.link.replace(`token=${failing.token}`, "token=0000");
        const third = await open(context, badLink);
        assert.equal(third.response?.status(), 200);
        assert.equal((await third.page.textContent("main p"))?.trim(), FAILURE);
        assert.equal((await s.deps.store.sessions.get(Number(failing.sid)))?.validated, false);
      });
    });
  });
}
