// `cairn invites list|revoke`: the subcommands on every engine, then the real command on a copy of
// the database Sydent wrote (its pending invitation has no Cairn link).
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { engines, FIXTURE_NOW, testDeps, type TestDeps } from "../../test/deps.js";
import { fixturePath } from "../../test/fixtures.js";
import { runCairn } from "../../test/process.js";
import type { NewInvite } from "../store/store.js";
import { invitesCommand, runInvites } from "./invites-cli.js";

const DAY = 86_400_000;
const nowS = Math.floor(FIXTURE_NOW / 1000);

function invite(token: string, fields: Partial<NewInvite> = {}): NewInvite {
  return {
    medium: "email",
    address: "grace.hopper@example.com",
    roomId: "!lovelace:example.org",
    sender: "@alice:example.org",
    token,
    ephemeralPublicKey: `key-${token}`,
    receivedTs: nowS,
    expiresAt: FIXTURE_NOW + 30 * DAY,
    ...fields,
  };
}

async function run(deps: TestDeps, ...args: string[]): Promise<string> {
  let out = "";
  await runInvites(deps, args, { out: (t) => (out += t), err: (t) => (out += t) });
  return out;
}

for (const engine of engines()) {
  describe(`cairn invites on ${engine}`, () => {
    test("list shows every invitation redacted, filtered by address (as typed) or room", async () => {
      const deps = await testDeps({ engine });
      try {
        assert.equal(await run(deps, "list"), "no invitations\n");
        await deps.store.invites.add(invite("PendingAAAAAAAAAAAA"));
        await deps.store.invites.add(invite("DeliveredBBBBBBBBBB", { address: "bob@example.org" }));
        await deps.store.invites.markSent({ medium: "email", address: "bob@example.org" }, nowS);
        await deps.store.invites.add(
          invite("ExpiredCCCCCCCCCCCC", { roomId: "!old:example.org", expiresAt: FIXTURE_NOW }),
        );
        const lines = (await run(deps, "list")).trimEnd().split("\n");
        assert.match(lines[0] ?? "", /^token +address +room +sender +received +expires +state$/);
        assert.match(
          lines[1] ?? "",
          /^PendingAAAAA… +gra\.\.\.@exa\.\.\. +!lovelace:example\.org +@alice:example\.org +2026-12-04T20:00:00Z +2027-01-03T20:00:00Z +pending$/,
        );
        assert.match(lines[2] ?? "", /^DeliveredBBB… +b\.\.\.@exa\.\.\. .* delivered$/);
        assert.match(lines[3] ?? "", /^ExpiredCCCCC… .* 2026-12-04T20:00:00Z +expired$/);
        assert.equal(lines.length, 4);
        const byAddress = await run(deps, "list", "--address", "Grace.Hopper@Example.COM");
        assert.deepEqual(byAddress.match(/^\w+…/gm), ["PendingAAAAA…", "ExpiredCCCCC…"]);
        const byRoom = await run(deps, "list", "--room", "!old:example.org");
        assert.deepEqual(byRoom.match(/^\w+…/gm), ["ExpiredCCCCC…"]);
      } finally {
        await deps.cleanup();
      }
    });

    test("revoke deletes exactly one invitation by its token or a long enough prefix", async () => {
      const deps = await testDeps({ engine });
      try {
        await deps.store.invites.add(invite("SameStartXXXXXXXXX1"));
        await deps.store.invites.add(invite("SameStartXXXXXXXXX2"));
        await assert.rejects(run(deps, "revoke", "SameSta"), /at least 8 letters/);
        await assert.rejects(run(deps, "revoke", "SameStart"), /several invitations/);
        await assert.rejects(run(deps, "revoke", "NoSuchToken"), /no invitation/);
        await assert.rejects(run(deps, "revoke"), /a TOKEN is needed/);
        await assert.rejects(run(deps, "frobnicate"), /unknown command/);
        const out = await run(deps, "revoke", "SameStartXXXXXXXXX1");
        assert.equal(out, "revoked the invitation SameStartXXX… to gra...@exa... in !lovelace:example.org\n");
        const validity = { now: FIXTURE_NOW, legacyLifetimeMs: 30 * DAY };
        assert.equal(await deps.store.invites.checkEphemeralKey("key-SameStartXXXXXXXXX1", validity), false);
        assert.equal(await deps.store.invites.checkEphemeralKey("key-SameStartXXXXXXXXX2", validity), true);
        assert.match(await run(deps, "revoke", "SameStart"), /revoked the invitation SameStartXXX…/);
        assert.equal(await run(deps, "list"), "no invitations\n");
      } finally {
        await deps.cleanup();
      }
    });
  });
}

test("the cairn command lists Sydent's invitations in its own database", async () => {
  const dir = mkdtempSync(join(tmpdir(), "cairn-invites-"));
  try {
    copyFileSync(fixturePath("current", "sydent.conf"), join(dir, "sydent.conf"));
    copyFileSync(fixturePath("current", "sydent.db"), join(dir, "sydent.db"));
    const cairn = (...args: string[]) =>
      runCairn(["invites", ...args, "--config", "sydent.conf"], { cwd: dir });
    const list = cairn("list");
    assert.equal(await list.exited, 0, list.output());
    assert.match(
      list.output(),
      /^FofXnoBMDXpH… +gra\.\.\.@exa\.\.\. +!lovelace:example\.org +@alice:example\.org +2026-12-04T19:58:05Z/m,
    );
    assert.match(list.output(), /^PmAyKfcBypYk… +iva\.\.\.@exa\.\.\./m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("revoking a Sydent invitation; exit status 1 for a failed revoke or a missing file, 2 for a usage mistake", async () => {
  const dir = mkdtempSync(join(tmpdir(), "cairn-invites-"));
  try {
    const conf = join(dir, "sydent.conf");
    const key = "ed25519 0 Oi4YlsMR2qDF9H7uw6UqoENA3Z51XtCButQGIJAk0J0";
    writeFileSync(
      conf,
      `[general]\nserver.name = x.test\n[db]\ndb.file = ${join(dir, "sydent.db")}\n[crypto]\ned25519.signingkey = ${key}\n`,
    );
    copyFileSync(fixturePath("current", "sydent.db"), join(dir, "sydent.db"));
    let out = "";
    let err = "";
    const io = { out: (t: string) => void (out += t), err: (t: string) => void (err += t) };
    assert.equal(await invitesCommand(["revoke", "FofXnoBMDXpH", "--config", conf], io), 0);
    assert.match(out, /revoked the invitation FofXnoBMDXpH… to gra\.\.\.@exa\.\.\./);
    assert.match(out, /stored by Sydent, not linked to it, and stays valid until 2027-01-03T19:58:05Z/);
    assert.equal(await invitesCommand(["revoke", "FofXnoBMDXpH", "--config", conf], io), 1);
    assert.match(err, /no invitation has a token starting with FofXnoBMDXpH/);
    assert.equal(await invitesCommand(["list", "--room", "--config", conf], io), 2);
    assert.match(err, /--room needs a value\n\nUsage: cairn invites/);
    assert.equal(await invitesCommand(["list", "--config", join(dir, "missing.conf")], io), 1);
    assert.match(err, /no config file at .*missing\.conf/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
