// A homeserver for onbind tests: a real HTTPS server on loopback for `hs.example` (certificate from
// the test CA) recording every /3pid/onbind POST and answering with the status the test sets; it
// can go down and come back on the same port. Test deps reach it through the real federation client.
import type { ServerResponse } from "node:http";
import { ONBIND_PATH } from "../src/domain/onbind.js";
import { testDeps, type Engine, type IniSections, type TestDeps, type TestDepsOptions } from "./deps.js";
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
