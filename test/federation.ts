// A federation client pointed at loopback: names resolve through a table, .well-known is fetched
// from a test port, discovery's last step uses a test port, and the test CA is the only root.
import assert from "node:assert/strict";
import { fixedClock } from "../src/clock.js";
import { cryptoRandom } from "../src/crypto/random.js";
import { createFederationClient } from "../src/federation/client.js";
import type { ClosableFederationClient, FederationClientOptions } from "../src/federation/client.js";
import { MatrixError } from "../src/errors.js";
import { createIpDenyList } from "../src/federation/deny-list.js";
import { FederationError } from "../src/federation/types.js";
import type { FederationClient, FederationFailure } from "../src/federation/types.js";
import { FIXTURE_NOW } from "./deps.js";
import { testCa } from "./tls.js";

/** One CA per test process: RSA keys take a moment. */
export const loopbackCa = testCa();

export interface LoopbackClientOptions extends Partial<Omit<FederationClientOptions, "denyList" | "clock">> {
  resolver: FederationClientOptions["resolver"];
  /** `ip.blacklist` (empty: the built-in list). */
  blacklist?: string[];
  /** `ip.whitelist`; default 127.0.0.1 and ::1 so the loopback servers are reachable. */
  whitelist?: string[];
}

export function loopbackClient(options: LoopbackClientOptions): ClosableFederationClient & {
  clock: ReturnType<typeof fixedClock>;
} {
  const clock = fixedClock(FIXTURE_NOW);
  const client = createFederationClient({
    verifyCerts: true,
    clock,
    random: cryptoRandom,
    ca: [loopbackCa.cert],
    connectTimeoutMs: 2000,
    timeoutMs: 5000,
    ...options,
    denyList: createIpDenyList(options.blacklist ?? [], options.whitelist ?? ["127.0.0.1/32", "::1/128"]),
  });
  return Object.assign(client, { clock });
}

/** The FederationError a promise rejects with; fails the test if it resolves or throws another. */
export async function federationFailure(promise: Promise<unknown>, kind: FederationFailure): Promise<string> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof FederationError && err.kind === kind) return err.message;
    throw err;
  }
  throw new Error(`expected a FederationError of kind ${kind}, but the request succeeded`);
}

/** For assert.rejects: a MatrixError with this status, errcode and message (text or pattern). */
export function matrixRejection(status: number, errcode: string, message: string | RegExp) {
  return (err: unknown): true => {
    assert.ok(err instanceof MatrixError, String(err));
    assert.equal(err.status, status);
    assert.equal(err.errcode, errcode);
    if (typeof message === "string") assert.equal(err.message, message);
    else assert.match(err.message, message);
    return true;
  };
}

/** A FederationClient answering every request with `reply` (JSON, or text) or throwing it; records what was asked. */
export function scriptedClient(reply: unknown): FederationClient & { paths: string[] } {
  const paths: string[] = [];
  return {
    paths,
    async request(serverName, req) {
      paths.push(`${serverName}${req.path}`);
      if (reply instanceof Error) throw reply;
      return {
        status: 200,
        headers: {},
        body: Buffer.from(typeof reply === "string" ? reply : JSON.stringify(reply)),
      };
    },
  };
}
