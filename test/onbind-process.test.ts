// Durable onbind with the real server (startServer, as `cairn serve` runs it): a bind made while
// the homeserver is down is still delivered after the server is stopped, the homeserver comes back
// and a new server starts on the same database.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { startServer, type RunningServer } from "../src/main.js";
import { metric, onbindHomeserver } from "./onbind.js";
import { freePort } from "./process.js";

async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

test("a bind while the homeserver is down reaches it after a restart", async () => {
  const dir = mkdtempSync(join(tmpdir(), "cairn-onbind-"));
  const hs = await onbindHomeserver({ up: false });
  const internalPort = await freePort();
  // The mxid's server is an IP literal with a port: no DNS; the test certificate is not checked.
  const mxid = `@grace:127.0.0.1:${hs.port}`;
  const configPath = join(dir, "sydent.conf");
  writeFileSync(
    configPath,
    [
      "[general]",
      "server.name = onbind.example.org",
      "ip.whitelist = 127.0.0.1",
      "pidfile.path =",
      "log.level = ERROR",
      "[db]",
      `db.file = ${join(dir, "sydent.db")}`,
      "[http]",
      `clientapi.http.port = ${await freePort()}`,
      "clientapi.http.bind_address = 127.0.0.1",
      `internalapi.http.port = ${internalPort}`,
      "internalapi.http.bind_address = 127.0.0.1",
      "federation.verifycerts = false",
      "",
    ].join("\n"),
  );
  let server: RunningServer | null = null;
  try {
    server = await startServer({ configPath });
    const first = server;
    const res = await fetch(`http://127.0.0.1:${internalPort}/_matrix/identity/internal/bind`, {
      method: "POST",
      body: JSON.stringify({ medium: "email", address: "grace@example.org", mxid }),
    });
    assert.equal(res.status, 200);
    // Sent within the queue's 5 s poll, refused: the homeserver is down.
    await waitFor(
      "a failed attempt",
      async () => (await metric(first.deps, "cairn_onbind_deliveries_total", "retry")) > 0,
      30_000,
    );
    await server.close();
    server = null;
    assert.equal(hs.received.length, 0);

    await hs.up();
    server = await startServer({ configPath });
    // The retry is due 8 to 10 s after the failed attempt.
    await waitFor("the notification", () => hs.received.length > 0, 30_000);
    const second = server;
    await waitFor(
      "the delivery to be recorded",
      async () => (await second.deps.store.onbind.depth()) === 0,
      5_000,
    );
    assert.equal(hs.received.length, 1);
    const body = JSON.parse(hs.received[0]?.body ?? "") as Record<string, unknown>;
    assert.equal(body.mxid, mxid);
    assert.equal(body.address, "grace@example.org");
  } finally {
    await server?.close();
    await hs.down();
    rmSync(dir, { recursive: true, force: true });
  }
});
