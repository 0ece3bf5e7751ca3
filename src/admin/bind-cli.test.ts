// `cairn bind` / `cairn unbind`: the subcommands on every engine (lookups then see the change), the
// operator's mistakes, and the real command on a config and database of its own.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { engines, GOLDEN_SEED, iniText, testDeps, type TestDeps } from "../../test/deps.js";
import { runCairn } from "../../test/process.js";
import { verifySignedJson } from "../crypto/signed-json.js";
import { signingKeyFromSeed } from "../crypto/signing-key.js";
import { bindCommand, runBind } from "./bind-cli.js";

async function run(deps: TestDeps, command: "bind" | "unbind", ...args: string[]): Promise<string> {
  let out = "";
  await runBind(deps, command, args, { out: (t) => (out += t), err: (t) => (out += t) });
  return out;
}

const found = (deps: TestDeps, address: string) =>
  deps.store.associations.boundMxid({ medium: "email", address }, deps.clock.now());

for (const engine of engines()) {
  describe(`cairn bind and unbind (${engine})`, () => {
    test("bind prints the signed association and lookups find it; unbind removes it, once", async () => {
      const deps = await testDeps({ engine });
      try {
        const printed = JSON.parse(
          await run(deps, "bind", "email", "Alice@Example.ORG", "@alice:example.org"),
        );
        const serverName = deps.config.general.serverName;
        assert.equal(printed.address, "alice@example.org");
        assert.equal(printed.mxid, "@alice:example.org");
        assert.deepEqual(verifySignedJson(printed, serverName, "ed25519:0", deps.serverKey.publicKey), {
          ok: true,
        });
        deps.clock.advance(1);
        assert.equal(await found(deps, "alice@example.org"), "@alice:example.org");

        assert.equal(
          await run(deps, "unbind", "email", "alice@example.org", "@bob:example.org"),
          "nothing to unbind: email alice@example.org from @bob:example.org was not bound\n",
        );
        assert.equal(await found(deps, "alice@example.org"), "@alice:example.org");
        assert.equal(
          await run(deps, "unbind", "email", "ALICE@example.org", "@alice:example.org"),
          "unbound email ALICE@example.org from @alice:example.org\n",
        );
        assert.equal(await found(deps, "alice@example.org"), undefined);
      } finally {
        await deps.cleanup();
      }
    });
  });
}

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function install(withKey: boolean): string {
  const cwd = mkdtempSync(join(tmpdir(), "cairn-bind-cli-"));
  dirs.push(cwd);
  const seed = GOLDEN_SEED.toString("base64").replace(/=+$/, "");
  writeFileSync(
    join(cwd, "sydent.conf"),
    iniText({
      general: { "server.name": "cli.example.org" },
      // Absolute: the in-process runs below resolve relative paths against this process's directory.
      db: { "db.file": join(cwd, "sydent.db") },
      ...(withKey ? { crypto: { "ed25519.signingkey": `ed25519 0 ${seed}` } } : {}),
    }),
  );
  return cwd;
}

describe("cairn bind and unbind: mistakes and the real command", () => {
  test("usage mistakes exit 2 with the usage; a missing config file exits 1", async () => {
    let err = "";
    const io = { out: () => {}, err: (t: string) => (err += t) };
    assert.equal(await bindCommand("bind", ["email", "a@b"], io), 2);
    assert.match(err, /^cairn bind: MEDIUM, ADDRESS and MXID are needed\n\nUsage: cairn bind\|unbind/);
    err = "";
    assert.equal(await bindCommand("unbind", ["phone", "1", "@a:b"], io), 2);
    assert.match(err, /^cairn unbind: MEDIUM must be email or msisdn, got phone\n/);
    err = "";
    const missing = join(tmpdir(), "cairn-no-such-dir", "sydent.conf");
    assert.equal(await bindCommand("bind", ["email", "a@b", "@a:b", "--config", missing], io), 1);
    assert.equal(err, `cairn bind: no config file at ${missing}\n`);
  });

  test("the real command binds in the configured database; unbind then finds the binding", async () => {
    const cwd = install(true);
    const bound = runCairn(["bind", "email", "Carol@Example.ORG", "@carol:example.org"], { cwd });
    assert.equal(await bound.exited, 0, bound.output());
    const printed = JSON.parse(bound.output());
    assert.equal(printed.address, "carol@example.org");
    const key = signingKeyFromSeed(GOLDEN_SEED, "0");
    assert.deepEqual(verifySignedJson(printed, "cli.example.org", "ed25519:0", key.publicKey), { ok: true });

    // In this process (a second child would only repeat the start-up): the same config and database.
    let out = "";
    const io = { out: (t: string) => (out += t), err: (t: string) => (out += t) };
    const config = join(cwd, "sydent.conf");
    const args = ["email", "carol@example.org", "@carol:example.org", "--config", config];
    assert.equal(await bindCommand("unbind", args, io), 0, out);
    assert.equal(out, "unbound email carol@example.org from @carol:example.org\n");
  });

  test("a config without a signing key is refused and left as it is", async () => {
    const cwd = install(false);
    const file = join(cwd, "sydent.conf");
    const conf = readFileSync(file, "utf8");
    let err = "";
    const io = { out: () => {}, err: (t: string) => (err += t) };
    assert.equal(
      await bindCommand("bind", ["email", "a@example.org", "@a:example.org", "--config", file], io),
      1,
    );
    assert.equal(err, `cairn bind: ${file} has no signing key yet: start the server once first\n`);
    assert.equal(readFileSync(file, "utf8"), conf);
    assert.ok(!existsSync(join(cwd, "sydent.db")));
  });
});
