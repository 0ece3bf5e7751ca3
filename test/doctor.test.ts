// `cairn doctor` as an operator runs it: the real process, the config file's deny-list and TLS
// settings, a real HTTPS server on loopback (an IP literal, so no DNS is involved).
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { sendJson, startHttpsServer } from "./https-server.js";
import type { TestHttpsServer } from "./https-server.js";
import { runCairn } from "./process.js";
import { selfSignedCert } from "./tls.js";

// Both runs at once: each process start costs seconds of TypeScript loading.
describe("cairn doctor (the command)", { concurrency: true }, () => {
  let hs: TestHttpsServer;
  const dirs: string[] = [];
  before(async () => {
    hs = await startHttpsServer(selfSignedCert({ dns: ["hs.test"] }), (req, res) =>
      req.url === "/_matrix/federation/v1/version"
        ? sendJson(res, 200, { server: { name: "Test" } })
        : sendJson(res, 404, {}),
    );
  });
  after(async () => {
    await hs.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  async function run(args: string[], conf: string | null) {
    const cwd = mkdtempSync(join(tmpdir(), "cairn-doctor-"));
    dirs.push(cwd);
    if (conf !== null) writeFileSync(join(cwd, "sydent.conf"), conf);
    const proc = runCairn(["doctor", ...args], { cwd, env: { SYDENT_CONF: "" } });
    return { code: await proc.exited, output: proc.output(), cwd };
  }

  test("reachable with the config's whitelist and verifycerts = false: exit 0", async () => {
    const { code, output } = await run(
      [`127.0.0.1:${hs.port}`],
      "[general]\nip.whitelist = 127.0.0.1\n[http]\nfederation.verifycerts = false\n",
    );
    assert.equal(code, 0, output);
    assert.match(output, /ip\.whitelist = 127\.0\.0\.1\/32/);
    assert.match(output, /Result: 127\.0\.0\.1:\d+ is reachable\./);
  });

  test("the defaults (no config file, none written): loopback is deny-listed, exit 1", async () => {
    const { code, output, cwd } = await run([`127.0.0.1:${hs.port}`], null);
    assert.equal(code, 1, output);
    assert.match(output, /127\.0\.0\.1: BLOCKED by the deny-list entry 127\.0\.0\.0\/8/);
    assert.doesNotMatch(output, /TCP: connected/, "no connection to a deny-listed address");
    assert.ok(!existsSync(join(cwd, "sydent.conf")), "doctor never writes a config file");
  });
});
