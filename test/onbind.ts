// A homeserver for onbind tests: a real HTTPS server on loopback for `hs.example` (certificate from
// the test CA) recording every /3pid/onbind POST and answering with the status the test sets; it
// can go down and come back on the same port. Test deps reach it through the real federation client.
// Also what onbind tests share: an invitation, the queueing a bind does, a sender without jitter.
import type { ServerResponse } from "node:http";
import { cryptoRandom } from "../src/crypto/random.js";
import { enqueueOnbind, ONBIND_PATH } from "../src/domain/onbind.js";
import {
  associationFromLocal,
  ASSOCIATION_LIFETIME_MS,
  type SignedAssociation,
} from "../src/domain/signed-association.js";
import type { Deps } from "../src/deps.js";
import { createOnbindDelivery } from "../src/jobs/onbind-delivery.js";
import {
  FIXTURE_NOW,
  testDeps,
  type Engine,
  type IniSections,
  type TestDeps,
  type TestDepsOptions,
} from "./deps.js";
import { loopbackCa } from "./federation.js";
import {
  fakeResolver,
  sendJson,
  startHttpsServer,
  type RecordedRequest,
  type TestHttpsServer,
} from "./https-server.js";
import { freePort } from "./process.js";

export const HS_HOST = "hs.example";

const certificate = loopbackCa.issue({ dns: [HS_HOST] });

export interface OnbindHomeserver {
  /** Fixed for the homeserver's life, whether it is up or down. */
  port: number;
  /** `hs.example:<port>`: the server name of the mxids it owns. */
  serverName: string;
  /** `@<localpart>:hs.example:<port>`. */
  mxid(localpart: string): string;
  /** Every onbind POST received, in order, across restarts. */
  received: RecordedRequest[];
  /** The status of the next answers (200 until set). */
  answer(status: number): void;
  /** Starts listening (again). */
  up(): Promise<void>;
  /** Stops listening: connections are refused. */
  down(): Promise<void>;
  /** Options of test deps whose federation client finds hs.example on loopback. */
  depsOptions(engine?: Engine, conf?: IniSections): TestDepsOptions;
  /** Test deps made with those options. */
  deps(engine?: Engine, conf?: IniSections): Promise<TestDeps>;
}

export async function onbindHomeserver(options: { up: boolean }): Promise<OnbindHomeserver> {
  const port = await freePort();
  const received: RecordedRequest[] = [];
  let status = 200;
  let server: TestHttpsServer | null = null;
  const handler = (req: RecordedRequest, res: ServerResponse) => {
    if (req.method !== "POST" || req.url !== ONBIND_PATH) {
      return sendJson(res, 404, { errcode: "M_NOT_FOUND", error: "Not found" });
    }
    received.push(req);
    sendJson(res, status, status < 300 ? {} : { errcode: "M_UNKNOWN", error: `status ${status}` });
  };
  const homeserver: OnbindHomeserver = {
    port,
    serverName: `${HS_HOST}:${port}`,
    mxid: (localpart) => `@${localpart}:${HS_HOST}:${port}`,
    received,
    answer(next) {
      status = next;
    },
    async up() {
      server ??= await startHttpsServer(certificate, handler, "127.0.0.1", port);
    },
    async down() {
      await server?.close();
      server = null;
    },
    depsOptions: (engine = "sqlite", conf = {}) => ({
      engine,
      conf: { ...conf, general: { "ip.whitelist": "127.0.0.1", ...conf.general } },
      federation: { resolver: fakeResolver({ [HS_HOST]: ["127.0.0.1"] }), ca: [loopbackCa.cert] },
    }),
    deps: (engine, conf) => testDeps(homeserver.depsOptions(engine, conf)),
  };
  if (options.up) await homeserver.up();
  return homeserver;
}

export const ONBIND_ADDRESS = "invitee@example.org";
export const HOUR_MS = 60 * 60 * 1000;
/** Randomness without jitter: retries come exactly at 10 s, 20 s, 40 s, ... */
export const noJitter = { ...cryptoRandom, int: () => 0 };

/** An invitation for ONBIND_ADDRESS, valid for a day. */
export async function storeInvite(deps: TestDeps, token: string) {
  await deps.store.invites.add({
    medium: "email",
    address: ONBIND_ADDRESS,
    roomId: `!room-${token}:other.example`,
    sender: "@inviter:other.example",
    token,
    ephemeralPublicKey: `key-${token}`,
    receivedTs: Math.floor(FIXTURE_NOW / 1000),
    expiresAt: FIXTURE_NOW + 24 * HOUR_MS,
  });
}

/** What a bind of ONBIND_ADDRESS to `mxid` does about onbind: enqueueOnbind in a transaction. */
export function queueBind(deps: TestDeps, mxid: string): Promise<SignedAssociation> {
  const now = deps.clock.now();
  const association = associationFromLocal({
    id: 1,
    medium: "email",
    address: ONBIND_ADDRESS,
    mxid,
    ts: now,
    notBefore: now,
    notAfter: now + ASSOCIATION_LIFETIME_MS,
    lookupHash: "h",
  });
  return deps.store.transaction((tx) => enqueueOnbind(tx, deps, { mxid, association }));
}

/** A sender without jitter (and the log given). */
export function sender(deps: TestDeps, log = deps.log) {
  return createOnbindDelivery({ ...deps, log, random: noJitter });
}

/** A metric's value (for one `outcome`). */
export async function metric(deps: Pick<Deps, "metrics">, name: string, outcome?: string): Promise<number> {
  const found = (await deps.metrics.registry.getSingleMetric(name)?.get())?.values ?? [];
  return found.find((v) => outcome === undefined || v.labels.outcome === outcome)?.value ?? 0;
}
