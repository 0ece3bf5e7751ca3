// Bind and unbind against what Sydent itself produced and accepted (fixtures golden.json): the
// association its addBinding returned for a bind delivering an invitation, same fields in the same
// order with the same signatures; and the homeserver-signed unbind request its servlet accepted,
// replayed byte for byte.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import pino from "pino";
import { scriptedClient } from "../../../test/federation.js";
import { testDeps, type TestDeps } from "../../../test/deps.js";
import { golden } from "../../../test/golden.js";
import { buildApp, buildInternalApp } from "../../app.js";
import { bind } from "../../domain/bindings.js";
import { createXMatrixVerifier } from "../../federation/xmatrix.js";

const SERVER = golden.signing_key.server_name;
const DAY = 86_400_000;

async function withDeps(now: number, fn: (deps: TestDeps) => Promise<void>) {
  const deps = await testDeps({ now, conf: { general: { "server.name": SERVER } } });
  try {
    await fn(deps);
  } finally {
    await deps.cleanup();
  }
}

describe("bind and unbind: Sydent's golden vectors", () => {
  test("an internal bind delivering an invitation answers what Sydent's addBinding returned", async () => {
    const m = golden.mxid_signed;
    const now = m.signed_association_returned_by_addBinding.ts as number;
    await withDeps(now, async (deps) => {
      await deps.store.invites.add({
        medium: "email",
        address: "grace.hopper@example.com",
        roomId: "!lovelace:example.org",
        sender: "@alice:example.org",
        token: m.input.token,
        ephemeralPublicKey: "ephemeral",
        receivedTs: Math.floor(now / 1000) - 60,
        expiresAt: now + DAY,
      });
      const app = buildInternalApp(deps);
      const res = await app.inject({
        method: "POST",
        url: "/_matrix/identity/internal/bind",
        payload: JSON.stringify(m.bind_call),
      });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.headers["access-control-allow-origin"], "*", "CORS, as Sydent's internal API");
      // Same members, same order, same signatures (Sydent's body adds spaces after separators).
      assert.equal(res.body, JSON.stringify(m.signed_association_returned_by_addBinding));
      assert.equal(res.body, JSON.stringify(JSON.parse(m.as_http_json_body.utf8)));
      await app.close();
    });
  });

  test("the X-Matrix unbind Sydent accepted is accepted; its tampered twin gets Sydent's 401", async () => {
    const x = golden.x_matrix;
    await withDeps(Date.UTC(2026, 11, 4), async (deps) => {
      const keys = {
        verify_keys: { [x.homeserver.key_id]: { key: x.homeserver.public_key_base64_unpadded } },
      };
      const xmatrix = createXMatrixVerifier({
        client: scriptedClient(keys),
        serverName: SERVER,
        clock: deps.clock,
        log: pino({ level: "silent" }),
      });
      const app = buildApp({ ...deps, xmatrix });
      const { mxid, threepid } = x.request.content as {
        mxid: string;
        threepid: { medium: string; address: string };
      };
      await bind(deps, { ...threepid, mxid });
      deps.clock.advance(1);
      const send = (authorization: string) =>
        app.inject({
          method: "POST",
          url: x.request.uri,
          payload: x.request.body.utf8,
          headers: { authorization },
        });

      const tampered = await send(x.tampered_header);
      assert.equal(tampered.statusCode, x.sydent_response_tampered.status);
      assert.deepEqual(tampered.json(), JSON.parse(x.sydent_response_tampered.body.utf8));
      assert.equal((await deps.store.associations.lookup(threepid, deps.clock.now()))?.mxid, mxid);

      const accepted = await send(x.authorization_header);
      assert.deepEqual([accepted.statusCode, accepted.body], [200, "{}"]);
      assert.equal(await deps.store.associations.lookup(threepid, deps.clock.now()), undefined);
      const local = await deps.store.associations.localAfter(null);
      assert.deepEqual(
        local.map((row) => [row.medium, row.address, row.mxid]),
        [[threepid.medium, threepid.address, null]],
      );
      await app.close();
    });
  });
});
