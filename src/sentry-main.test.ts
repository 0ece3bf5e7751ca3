// The server process with `sentry_dsn` set reports to it (a real loopback HTTP server as the DSN
// host), with Sydent's server-name tag and Cairn's release.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { iniText } from "../test/deps.js";
import { startHttpServer } from "../test/http-server.js";
import { testLogPath } from "../test/log-secrets.js";
import { startServer } from "./main.js";
import { cairnVersion } from "./version.js";

test("with sentry_dsn, logged errors reach Sentry tagged with server.name and the release", async () => {
  const sentry = await startHttpServer(() => ({ status: 200, body: "{}" }));
  const dir = mkdtempSync(join(tmpdir(), "cairn-sentry-"));
  try {
    const configPath = join(dir, "sydent.conf");
    writeFileSync(
      configPath,
      iniText({
        general: {
          "server.name": "sentry.cairn.test",
          sentry_dsn: `${sentry.base.replace("http://", "http://publickey@")}/1`,
          "log.path": testLogPath("server") ?? join(dir, "sydent.log"),
          "pidfile.path": "",
        },
        db: { "db.file": join(dir, "sydent.db") },
        http: { "clientapi.http.bind_address": "127.0.0.1", "clientapi.http.port": 0 },
      }),
    );
    const server = await startServer({ configPath });
    server.deps.log.error({ err: new Error("job failed for bob@example.org") }, "periodic job failed");
    await server.close();
    const events = sentry.requests
      .map((r) => r.body.split("\n"))
      .filter(([, header]) => header?.includes('"type":"event"'))
      .map(([, , item]) => JSON.parse(item!) as Record<string, unknown>);
    assert.equal(events.length, 1);
    const event = events[0]!;
    assert.equal(event.release, `cairn@${cairnVersion()}`);
    assert.equal((event.tags as Record<string, string>).sydent_server_name, "sentry.cairn.test");
    assert.match(JSON.stringify(event.exception), /job failed for <email>/);
  } finally {
    await sentry.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
