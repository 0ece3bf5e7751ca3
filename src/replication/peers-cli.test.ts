// `cairn peers`: in-process on every engine, and the real command on a copy of Sydent's database.
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { engines, testDeps, type TestDeps } from "../../test/deps.js";
import { fixturePath } from "../../test/fixtures.js";
import { runCairn } from "../../test/process.js";
import { peersCommand, runPeers } from "./peers-cli.js";

const KEY = "MWNRkCAalvVtVtcsW+TTI+1kWuZPqavpfV3ZCYk5bUo";
const KEY_HEX = Buffer.from(`${KEY}=`, "base64").toString("hex");

async function run(deps: TestDeps, ...args: string[]): Promise<string> {
  let out = "";
  await runPeers(deps, args, { out: (t) => (out += t), err: (t) => (out += t) });
  return out;
}

for (const engine of engines()) {
  describe(`cairn peers (${engine})`, () => {
    test("add, list and remove peers; keys stored as base64 whatever form they are given in", async () => {
      const deps = await testDeps({
        engine,
        conf: { "peer.b.example": { base_replication_url: "https://b-internal:4434" } },
      });
      try {
        assert.equal(await run(deps, "list"), "no replication peers\n");
        assert.equal(
          await run(deps, "add", "a.example", "--key", KEY_HEX, "--port", "4435"),
          "added peer a.example: pushes go to https://a.example:4435/_matrix/identity/replicate/v1/push\n",
        );
        assert.equal(
          await run(deps, "add", "b.example", "--inactive", "--key", `${KEY}=`),
          "added peer b.example (inactive): pushes go to https://b-internal:4434/_matrix/identity/replicate/v1/push\n",
        );
        assert.deepEqual(
          (await deps.store.peers.list()).map((p) => [p.name, p.port, p.active, p.publicKeys]),
          [
            ["a.example", 4435, true, { ed25519: KEY }],
            ["b.example", null, false, { ed25519: KEY }],
          ],
        );
        await deps.store.associations.upsertLocal({
          medium: "email",
          address: "x@y",
          mxid: "@x:y",
          ts: 1,
          notBefore: 1,
          notAfter: 2,
          lookupHash: "h",
        });
        await deps.store.peers.updateProgress("a.example", 0, Date.UTC(2026, 11, 4, 12));
        assert.equal(
          await run(deps, "list"),
          [
            "name       port    active  key  lastSentVersion  behind  lastPokeSucceededAt\n",
            "a.example  4435    yes     ok   0                1       2026-12-04T12:00:00.000Z\n",
            "b.example  (1001)  no      ok   -                1       never\n",
          ].join(""),
        );
        assert.equal(await run(deps, "remove", "b.example"), "removed peer b.example\n");
        assert.deepEqual(
          (await deps.store.peers.list()).map((p) => p.name),
          ["a.example"],
        );
      } finally {
        await deps.cleanup();
      }
    });

    test("refuses a bad key, port or name, and a peer that exists or does not", async () => {
      const deps = await testDeps({ engine });
      try {
        const refused = (args: string[], message: RegExp) => assert.rejects(run(deps, ...args), message);
        await refused(["add", "a.example", "--key", "c2hvcnQ"], /--key: an ed25519 public key is 32 bytes/);
        await refused(["add", "a.example", "--key", KEY, "--port", "70000"], /--port must be a port number/);
        await refused(["add", "--key", KEY], /a peer NAME is needed/);
        await refused(["add", "a.example"], /--key is needed/);
        await run(deps, "add", "a.example", "--key", KEY);
        await refused(["add", "a.example", "--key", KEY], /already a peer named a.example/);
        await refused(["remove", "nobody.example"], /no peer named nobody.example/);
        await refused(["frobnicate"], /unknown command: frobnicate/);
        assert.equal((await deps.store.peers.list()).length, 1);
      } finally {
        await deps.cleanup();
      }
    });
  });
}

test("the command reads sydent.conf, leaves it alone, and lists Sydent's peers row as it is", async () => {
  const cwd = mkdtempSync(join(tmpdir(), "cairn-peers-"));
  try {
    copyFileSync(fixturePath("current", "sydent.db"), join(cwd, "sydent.db"));
    const conf = readFileSync(fixturePath("current", "sydent.conf"), "utf8").replace(
      /^db\.file = .*$/m,
      `db.file = ${join(cwd, "sydent.db")}`,
    );
    writeFileSync(join(cwd, "sydent.conf"), conf);
    const row = new RegExp(
      `^peer\\.example\\.net +4435 +yes +ok +11 +0 +${new Date(1796414321742).toISOString()}$`,
      "m",
    );

    let out = "";
    const io = { out: (t: string) => (out += t), err: (t: string) => (out += t) };
    assert.equal(await peersCommand(["list", "--config", join(cwd, "sydent.conf")], io), 0);
    assert.match(out, row);
    out = "";
    assert.equal(await peersCommand(["remove", "--config", join(cwd, "sydent.conf")], io), 2);
    assert.match(out, /^cairn peers: a peer NAME is needed\n\nUsage: cairn peers/);
    out = "";
    assert.equal(await peersCommand(["list", "--config", join(cwd, "absent.conf")], io), 1);
    assert.match(out, /no config file at .*absent\.conf/);
    assert.equal(readFileSync(join(cwd, "sydent.conf"), "utf8"), conf);

    // The same through the cairn command itself.
    const listed = runCairn(["peers", "list"], { cwd });
    assert.equal(await listed.exited, 0, listed.output());
    assert.match(listed.output(), row);
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
});
