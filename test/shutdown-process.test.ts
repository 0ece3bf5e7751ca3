// Graceful SIGTERM: with the real `cairn` process, a request in flight (an email held by a slow SMTP
// server) completes with 200 while new connections are refused, then the process exits 0; in
// process, a request that outlasts the drain bound is cut and the store is closed.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { startServer } from "../src/main.js";
import { freePort, serveCairn } from "./process.js";
import { startSmtpServer } from "./smtp.js";

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const templates = fileURLToPath(new URL("../res", import.meta.url));

/** Whether a new TCP connection to `port` on loopback is refused. */
function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", (err: NodeJS.ErrnoException) => resolve(err.code === "ECONNREFUSED"));
  });
}

async function until(what: string, check: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (await check()) return;
    await sleep(25);
  }
  assert.fail(`timed out waiting for ${what}`);
}

/** A directory with a sydent.conf: client API on `port`, emails to the SMTP server on `smtpPort`. */
function install(port: number, smtpPort: number): string {
  const cwd = mkdtempSync(join(tmpdir(), "cairn-stop-"));
  dirs.push(cwd);
  writeFileSync(
    join(cwd, "sydent.conf"),
    [
      "[general]",
      "server.name = stop.example.org",
      `templates.path = ${templates}`,
      "brand.default = cairn",
      // Absolute: the in-process server's working directory is the repository's.
      `pidfile.path = ${join(cwd, "sydent.pid")}`,
      "[db]",
      `db.file = ${join(cwd, "sydent.db")}`,
      "[http]",
      `clientapi.http.port = ${port}`,
      "[email]",
      "email.smtphost = 127.0.0.1",
      `email.smtpport = ${smtpPort}`,
      "email.hostname = stop.example.org",
      "email.from = Cairn <noreply@stop.example.org>",
      "email.smtp_timeout_ms = 60000",
      "",
    ].join("\n"),
  );
  return cwd;
}

/** An SMTP server that holds every MAIL FROM until `release()`. */
async function heldSmtp() {
  let release: () => void = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  let mailFromSeen = false;
  const smtp = await startSmtpServer({
    onMailFrom(_address, _session, callback) {
      mailFromSeen = true;
      void held.then(() => callback());
    },
  });
  return { smtp, release, seen: () => mailFromSeen };
}

const requestToken = (url: string) =>
  fetch(`${url}/_matrix/identity/api/v1/validate/email/requestToken`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ email: "stop@example.org", client_secret: "secret-1", send_attempt: 1 }),
  });

describe("graceful stop on SIGTERM", () => {
  test("a request in flight finishes with 200, new connections are refused, exit code 0 (SIGHUP is harmless)", async () => {
    const { smtp, release, seen } = await heldSmtp();
    const port = await freePort();
    const cwd = install(port, smtp.port);
    const server = await serveCairn([], { cwd });
    try {
      // SIGHUP ends a Node process by default; Cairn only says there is no certificate to reload.
      server.child.kill("SIGHUP");
      await until("the SIGHUP log line", () => server.output().includes("nothing to reload"));
      assert.equal((await fetch(`${server.url}/_cairn/health`)).status, 200);

      const inFlight = requestToken(server.url);
      await until("the email to reach the SMTP server", seen);

      server.child.kill("SIGTERM");
      await until("new connections to be refused", () => refused(port));
      assert.equal(server.child.exitCode, null, "still running while the request is in flight");

      release();
      const res = await inFlight;
      assert.equal(res.status, 200);
      assert.match(((await res.json()) as { sid: string }).sid, /^\d+$/);
      assert.equal(await server.exited, 0);
      assert.equal(smtp.received.length, 1, "the email was delivered");
      assert.match(server.output(), /"stopped"/);
    } finally {
      release();
      server.child.kill("SIGKILL");
      await smtp.close();
    }
  });

  test("a request that outlasts drainMs is cut; the store closes and close() returns", async () => {
    const { smtp, release, seen } = await heldSmtp();
    const port = await freePort();
    const cwd = install(port, smtp.port);
    const server = await startServer({ configPath: join(cwd, "sydent.conf"), drainMs: 300 });
    try {
      const inFlight = requestToken(`http://127.0.0.1:${port}`).then(
        (res) => res.status,
        (err: unknown) => err,
      );
      await until("the email to reach the SMTP server", seen);
      const started = Date.now();
      await server.close();
      const took = Date.now() - started;
      assert.ok(took >= 300 && took < 5000, `close took ${took} ms`);
      assert.ok((await inFlight) instanceof Error, "the unfinished request's connection was closed");
      await assert.rejects(server.deps.store.ping(), "the store is closed");
    } finally {
      release();
      await smtp.close();
    }
  });
});
