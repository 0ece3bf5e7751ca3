// The whole client API listening on loopback with a real store, a real SMTP server behind the
// Mailer, `client_http_base` pointing at the listener itself (so emailed links lead back to it)
// and an authenticator that knows one v2 user.
import type { FastifyInstance } from "fastify";
import { buildApp } from "../src/app.js";
import { MatrixError } from "../src/errors.js";
import type { Authenticator } from "../src/http/auth.js";
import { testDeps, type Engine, type IniSections, type TestDeps } from "./deps.js";
import { freePort } from "./process.js";
import { startSmtpServer, type TestSmtpServer } from "./smtp.js";

export const V1 = "/_matrix/identity/api/v1";
export const V2 = "/_matrix/identity/v2";
export const ALICE = "@alice:example.org";
export const ALICE_TOKEN = "alice-token";

/** Accepts ALICE_TOKEN as ALICE; anything else is 401 M_UNAUTHORIZED. */
export const aliceAuth: Authenticator = {
  authenticate: async (token) => {
    if (token === ALICE_TOKEN) return ALICE;
    throw new MatrixError("M_UNAUTHORIZED", "Unauthorized");
  },
};

export interface InviteServer {
  app: FastifyInstance;
  deps: TestDeps;
  smtp: TestSmtpServer;
  /** `http://127.0.0.1:<port>`: where the app listens, and `client_http_base`. */
  base: string;
  close(): Promise<void>;
}

/** Sections merged key by key over `base`. */
function merged(base: IniSections, over: IniSections): IniSections {
  const out: IniSections = { ...base };
  for (const [name, keys] of Object.entries(over)) out[name] = { ...out[name], ...keys };
  return out;
}

/**
 * The app on a fresh port. Email goes to a real SMTP server on loopback; the sender limit is out of
 * the way (burst 1000) unless `conf` sets it.
 */
export async function inviteServer(engine: Engine, conf: IniSections = {}): Promise<InviteServer> {
  const smtp = await startSmtpServer();
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const defaults: IniSections = {
    http: { client_http_base: base },
    email: {
      "email.smtphost": "127.0.0.1",
      "email.smtpport": smtp.port,
      "email.hostname": "id.cairn.test",
      "email.from": "Cairn <noreply@id.cairn.test>",
      "email.ratelimit_sender.burst": 1000,
      "email.smtp_timeout_ms": 2000,
    },
  };
  const deps = await testDeps({ engine, conf: merged(defaults, conf) });
  const app = buildApp({ ...deps, auth: aliceAuth });
  await app.listen({ port, host: "127.0.0.1" });
  return {
    app,
    deps,
    smtp,
    base,
    async close() {
      await app.close();
      await smtp.close();
      await deps.cleanup();
    },
  };
}

/** A store-invite body; `fields` replace or add arguments. */
export function inviteBody(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    medium: "email",
    address: "Grace.Hopper+Invite@Example.COM",
    room_id: "!lovelace:example.org",
    sender: ALICE,
    ...fields,
  };
}

/** POST v2 store-invite as Alice. */
export function storeInviteV2(server: InviteServer, body: Record<string, unknown>, brand?: string) {
  return server.app.inject({
    method: "POST",
    url: `${V2}/store-invite${brand === undefined ? "" : `?brand=${brand}`}`,
    headers: { authorization: `Bearer ${ALICE_TOKEN}` },
    payload: body,
  });
}
