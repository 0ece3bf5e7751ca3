// When the server runs replication: only with a readable certificate (as Sydent), and a certificate
// file that is there but unusable stops the start with a clear message.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { iniText, type IniSections } from "../../test/deps.js";
import { replicationPem } from "../../test/replication.js";
import { testCa } from "../../test/tls.js";
import { startServer, StartupError } from "../main.js";

const dir = mkdtempSync(join(tmpdir(), "cairn-replication-start-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const ca = testCa();
writeFileSync(join(dir, "ca.pem"), ca.cert);

/** A config file; a server that fails to start logs to stderr (nothing above CRITICAL here). */
function config(name: string, http: IniSections[string], starts = true): string {
  const path = join(dir, `${name}.conf`);
  const log: IniSections[string] = starts
    ? { "log.path": join(dir, `${name}.log`) }
    : { "log.level": "CRITICAL" };
  writeFileSync(
    path,
    iniText({
      general: { "server.name": "id.cairn.test", ...log, "pidfile.path": "" },
      db: { "db.file": ":memory:" },
      http: {
        "clientapi.http.bind_address": "127.0.0.1",
        "clientapi.http.port": 0,
        "replication.https.bind_address": "127.0.0.1",
        "replication.https.port": 0,
        ...http,
      },
    }),
  );
  return path;
}

test("with a readable certificate the replication listener runs, requiring client certificates", async () => {
  writeFileSync(join(dir, "id.pem"), replicationPem(ca, "id.cairn.test"));
  const server = await startServer({
    configPath: config("ok", {
      "replication.https.certfile": join(dir, "id.pem"),
      "replication.https.cacert": join(dir, "ca.pem"),
    }),
  });
  try {
    assert.match(server.replicationUrl ?? "", /^https:\/\/127\.0\.0\.1:\d+$/);
    // Without a client certificate the TLS handshake fails.
    await assert.rejects(fetch(`${server.replicationUrl}/_matrix/identity/replicate/v1/push`));
  } finally {
    await server.close();
  }
});

test("no certfile, or one that cannot be read: no replication listener, the server still starts", async () => {
  for (const certfile of ["", join(dir, "missing.pem")]) {
    const server = await startServer({
      configPath: config("none", { "replication.https.certfile": certfile }),
    });
    try {
      assert.equal(server.replicationUrl, null, certfile);
      server.deps.replication.poke();
    } finally {
      await server.close();
    }
  }
});

test("a certificate file without a private key stops the start, naming the file", async () => {
  writeFileSync(join(dir, "cert-only.pem"), ca.cert);
  await assert.rejects(
    startServer({
      configPath: config("bad", { "replication.https.certfile": join(dir, "cert-only.pem") }, false),
    }),
    (err: unknown) => err instanceof StartupError && /cert-only\.pem .*cannot be used/.test(err.message),
  );
});
