// Bind and unbind on a copy of the database the real Sydent filled (fixtures `current/`), served as
// Sydent's own server with its key, using the sessions Sydent validated: ids continue Sydent's
// AUTOINCREMENT sequence, only the new rows are pushed to the global table, and the replication
// peer Sydent knew has exactly the new rows to receive.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import type { TestDeps } from "../../../test/deps.js";
import { readFixtureJson } from "../../../test/fixtures.js";
import { lookupEverywhere, V1, V2 } from "../../../test/lookups.js";
import { sydentServer, type SydentServer } from "../../../test/sydent-server.js";
import { buildApp } from "../../app.js";
import { verifySignedJson } from "../../crypto/signed-json.js";

interface FixtureSession {
  sid: number;
  medium: string;
  address_in_session_row: string;
  client_secret: string;
}

interface Facts {
  server_name: string;
  signing_key_config_value: string;
  sessions: Record<string, FixtureSession>;
}

const facts = readFixtureJson("current", "facts.json") as Facts;

describe("bind and unbind on Sydent's own database (current/)", () => {
  let server: SydentServer;
  let deps: TestDeps;
  before(async () => {
    server = await sydentServer(facts);
    deps = server.deps;
  });
  after(() => server.close());

  const ownGlobalRows = async () => (await deps.store.associations.originIdStats(facts.server_name)).count;

  test("a re-bind with Sydent's session continues its ids and is the one every lookup answers", async () => {
    const app = buildApp(deps);
    const bob = facts.sessions["bob_email_2"];
    assert.ok(bob);
    const before = await ownGlobalRows();
    const res = await app.inject({
      method: "POST",
      url: `${V1}/3pid/bind`,
      payload: { sid: bob.sid, client_secret: bob.client_secret, mxid: "@bobby:example.org" },
    });
    assert.equal(res.statusCode, 200, res.body);
    const publicKey = deps.serverKey.publicKey;
    assert.deepEqual(verifySignedJson(res.json(), facts.server_name, "ed25519:0", publicKey), { ok: true });

    const threepid = { medium: "email", address: "bob@example.com" };
    const local = (await deps.store.associations.localAfter(11)).map((r) => [r.id, r.address, r.mxid]);
    assert.deepEqual(local, [[12, "bob@example.com", "@bobby:example.org"]], "after Sydent's last id, 11");
    assert.equal(await ownGlobalRows(), before + 1, "only the new row was copied to the global table");
    deps.clock.advance(1);
    const row = await deps.store.associations.lookup(threepid, deps.clock.now());
    assert.deepEqual([row?.originId, row?.mxid], [12, "@bobby:example.org"]);
    const sgAssoc = JSON.parse(row?.sgAssoc ?? "{}");
    assert.deepEqual(verifySignedJson(sgAssoc, facts.server_name, "ed25519:0", publicKey), { ok: true });
    const mxid = "@bobby:example.org";
    assert.deepEqual(await lookupEverywhere(app, deps.pepper, "email", "bob@example.com"), {
      v1: mxid,
      bulk: mxid,
      none: mxid,
      sha256: mxid,
    });
  });

  test("Sydent's session for Alice.Smith@Example.ORG unbinds the folded binding it made", async () => {
    const app = buildApp(deps);
    const alice = facts.sessions["alice_email"];
    assert.ok(alice);
    const address = "alice.smith@example.org";
    const res = await app.inject({
      method: "POST",
      url: `${V2}/3pid/unbind`,
      payload: {
        sid: alice.sid,
        client_secret: alice.client_secret,
        threepid: { medium: "email", address },
        mxid: "@alice:example.org",
      },
    });
    assert.deepEqual([res.statusCode, res.body], [200, "{}"]);
    deps.clock.advance(1);
    const found = await lookupEverywhere(app, deps.pepper, "email", address);
    assert.deepEqual(found, { v1: undefined, bulk: undefined, none: undefined, sha256: undefined });
    const tombstone = (await deps.store.associations.localAfter(12)).map((r) => [r.id, r.address, r.mxid]);
    assert.deepEqual(tombstone, [[13, address, null]]);
    // Sydent's peer had accepted everything up to 11: the re-bind and the unbind are what it gets next.
    const peer = (await deps.store.peers.list())[0];
    assert.ok(peer);
    assert.equal(peer.lastSentVersion, 11);
    assert.equal(await deps.store.associations.countLocalAfter(peer.lastSentVersion), 2);
  });
});
