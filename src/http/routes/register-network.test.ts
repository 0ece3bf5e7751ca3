// Registration and the network: how the homeserver is found, the allow list, the outbound IP
// deny-list, and each network failure with its own message (against real HTTPS servers on loopback).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { bearer } from "../../../test/accounts.js";
import type { IniSections, TestDepsOptions } from "../../../test/deps.js";
import { loopbackCa } from "../../../test/federation.js";
import {
  assertRegisterFails,
  openid,
  register,
  standardUserinfo,
  startTestHomeserver,
  type TestHomeserver,
} from "../../../test/homeserver.js";
import { sendJson, startHttpsServer } from "../../../test/https-server.js";
import { buildApp } from "../../app.js";

let homeserver: TestHomeserver;
before(async () => {
  homeserver = await startTestHomeserver();
});
after(() => homeserver.close());

/** Runs `fn` with an app over deps from the test homeserver, then closes both. */
async function withApp(
  fn: (app: ReturnType<typeof buildApp>) => Promise<void>,
  conf: IniSections = {},
  federation: TestDepsOptions["federation"] = {},
): Promise<void> {
  const deps = await homeserver.deps("sqlite", conf, federation);
  const app = buildApp(deps);
  try {
    await fn(app);
  } finally {
    homeserver.answer(standardUserinfo);
    await app.close();
    await deps.cleanup();
  }
}

const contact = (what: string) => `Unable to contact the Matrix homeserver (${what})`;

describe("registration over the network", () => {
  test("the homeserver is found by each discovery path; its user IDs carry the requested name", async () => {
    await withApp(async (app) => {
      const port = homeserver.server.port;
      const paths: [string, string][] = [
        [`example.org:${port}`, "explicit port"],
        [`127.0.0.1:${port}`, "IP literal"],
        ["delegated.example.net", ".well-known delegation"],
        ["srv.example.net", "SRV record"],
        ["example.org", "the federation port"],
      ];
      for (const [name, how] of paths) {
        homeserver.answer((_req, res) => sendJson(res, 200, { sub: `@user:${name}` }));
        const res = await register(app, openid("openid-user", name));
        assert.equal(res.statusCode, 200, `${how}: ${res.body}`);
        const account = await app.inject({
          url: "/_matrix/identity/v2/account",
          headers: bearer(res.json().token),
        });
        assert.deepEqual(account.json(), { user_id: `@user:${name}` }, how);
      }
    });
  });

  test("each network failure says what failed: DNS, refused connection, TLS", async () => {
    await withApp(async (app) => {
      await assertRegisterFails(
        app,
        openid("openid-x", "unknown.example.org"),
        500,
        "M_UNKNOWN",
        contact("DNS lookup found no usable address"),
      );
      const closed = await startHttpsServer(
        loopbackCa.issue({ dns: ["closed.example.org"] }),
        () => undefined,
      );
      await closed.close();
      await assertRegisterFails(
        app,
        openid("openid-x", `closed.example.org:${closed.port}`),
        500,
        "M_UNKNOWN",
        contact("connection refused or unreachable"),
      );
      const accepts = homeserver.selfSigned.accepts;
      await assertRegisterFails(
        app,
        openid("openid-x", `self.example.org:${homeserver.selfSigned.port}`),
        500,
        "M_UNKNOWN",
        contact("TLS handshake or certificate check failed"),
      );
      assert.ok(
        homeserver.selfSigned.accepts > accepts,
        "the server was reached; its certificate was refused",
      );
    });
  });

  test("a homeserver that does not answer in time", async () => {
    await withApp(
      async (app) => {
        homeserver.answer(() => undefined);
        await assertRegisterFails(app, openid("openid-x"), 500, "M_UNKNOWN", contact("timed out"));
      },
      {},
      { timeoutMs: 300 },
    );
  });

  test("deny-listed addresses are never connected to, and look like a failed DNS lookup", async () => {
    // No whitelist: the built-in deny-list covers loopback and private ranges.
    await withApp(
      async (app) => {
        const accepts = homeserver.server.accepts;
        for (const name of ["example.org", "private.example.org", `127.0.0.1:${homeserver.server.port}`]) {
          await assertRegisterFails(
            app,
            openid("openid-x", name),
            500,
            "M_UNKNOWN",
            contact("DNS lookup found no usable address"),
          );
        }
        assert.equal(homeserver.server.accepts, accepts);
      },
      { general: { "ip.whitelist": "" } },
    );
  });

  test("with an allow list only those homeservers may register (compared case-insensitively)", async () => {
    await withApp(
      async (app) => {
        const asked = homeserver.server.requests.length;
        await assertRegisterFails(
          app,
          openid("openid-x", "evil.example.org"),
          403,
          "M_UNAUTHORIZED",
          "This homeserver is not authorized to access this server.",
        );
        assert.equal(homeserver.server.requests.length, asked, "the homeserver was not asked");
        assert.equal((await register(app, openid("openid-dan", "EXAMPLE.org"))).statusCode, 200);
      },
      { general: { homeserver_allow_list: "Example.org, other.example.org", enable_v1_access: "false" } },
    );
  });
});
