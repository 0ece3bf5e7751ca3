// A homeserver for registration tests: a real HTTPS server on loopback (certificate from the test
// CA) answering OpenID userinfo requests as the test says, a self-signed twin, and test deps whose
// federation client finds it (fake resolver, the test CA trusted, loopback whitelisted).
import assert from "node:assert/strict";
import type { ServerResponse } from "node:http";
import type { FastifyInstance } from "fastify";
import { testDeps, type Engine, type IniSections, type TestDeps, type TestDepsOptions } from "./deps.js";
import { loopbackCa } from "./federation.js";
import {
  fakeResolver,
  sendJson,
  startHttpsServer,
  type RecordedRequest,
  type TestHttpsServer,
} from "./https-server.js";
import { selfSignedCert } from "./tls.js";

export const USERINFO = "/_matrix/federation/v1/openid/userinfo";

export type Userinfo = (req: RecordedRequest, res: ServerResponse) => void;

/** `openid-<name>` is `@<name>:example.org`; any other token is refused as Synapse refuses it. */
export const standardUserinfo: Userinfo = (req, res) => {
  const token = new URL(req.url, "https://x").searchParams.get("access_token") ?? "";
  if (!token.startsWith("openid-")) {
    return sendJson(res, 401, { errcode: "M_UNKNOWN_TOKEN", error: "Invalid access token" });
  }
  sendJson(res, 200, { sub: `@${token.slice("openid-".length)}:example.org` });
};

export interface TestHomeserver {
  /** `example.org`, also reached as `delegated.example.net` (.well-known) and `srv.example.net` (SRV). */
  server: TestHttpsServer;
  /** Same answers, with a self-signed certificate (`self.example.org`). */
  selfSigned: TestHttpsServer;
  /** Replaces the userinfo answer (until the next call). */
  answer(userinfo: Userinfo): void;
  /**
   * Test deps reaching `example.org` by the default discovery path (no .well-known, no SRV, then
   * the federation port, which is the test server's).
   */
  deps(engine?: Engine, conf?: IniSections, federation?: TestDepsOptions["federation"]): Promise<TestDeps>;
  close(): Promise<void>;
}

export async function startTestHomeserver(): Promise<TestHomeserver> {
  let userinfo = standardUserinfo;
  let port = 0;
  const handler = (req: RecordedRequest, res: ServerResponse) => {
    if (req.url.startsWith(USERINFO)) return userinfo(req, res);
    if (req.url === "/.well-known/matrix/server" && req.headers.host?.startsWith("delegated.example.net")) {
      return sendJson(res, 200, { "m.server": `example.org:${port}` });
    }
    sendJson(res, 404, { errcode: "M_NOT_FOUND", error: "Not found" });
  };
  const server = await startHttpsServer(
    loopbackCa.issue({ dns: ["example.org", "delegated.example.net", "srv.example.net"] }),
    handler,
  );
  port = server.port;
  const selfSigned = await startHttpsServer(selfSignedCert({ dns: ["self.example.org"] }), handler);
  return {
    server,
    selfSigned,
    answer(next) {
      userinfo = next;
    },
    deps: (engine = "sqlite", conf = {}, federation = {}) =>
      testDeps({
        engine,
        conf: { ...conf, general: { "ip.whitelist": "127.0.0.1", ...conf.general } },
        federation: {
          resolver: fakeResolver(
            {
              "example.org": ["127.0.0.1"],
              "delegated.example.net": ["127.0.0.1"],
              "srv.example.net": ["127.0.0.1"],
              "self.example.org": ["127.0.0.1"],
              "private.example.org": ["10.1.2.3"],
              "closed.example.org": ["127.0.0.1"],
            },
            {
              "_matrix-fed._tcp.srv.example.net": [{ name: "example.org", port, priority: 0, weight: 0 }],
            },
          ),
          ca: [loopbackCa.cert],
          httpsPort: port,
          federationPort: port,
          ...federation,
        },
      }),
    async close() {
      await server.close();
      await selfSigned.close();
    },
  };
}

/** `POST /v2/account/register` with `body`. */
export function register(app: FastifyInstance, body: object) {
  return app.inject({ method: "POST", url: "/_matrix/identity/v2/account/register", payload: body });
}

/** The OpenID token a client posts, as Synapse hands it out. */
export const openid = (token: string, server = "example.org") => ({
  matrix_server_name: server,
  access_token: token,
  token_type: "Bearer",
  expires_in: 3600,
});

/** Registration fails with exactly this status and body. */
export async function assertRegisterFails(
  app: FastifyInstance,
  body: object,
  status: number,
  errcode: string,
  error: string,
): Promise<void> {
  const res = await register(app, body);
  assert.equal(res.statusCode, status, res.body);
  assert.deepEqual(res.json(), { errcode, error });
}
