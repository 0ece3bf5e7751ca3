// The client API for bind and unbind tests: real store and senders' stand-ins (a recording mailer),
// the test bearer token of test/auth.ts (so lookups by every path work as in lookup tests), and
// validation sessions made over HTTP as a client makes them.
import assert from "node:assert/strict";
import type { FastifyInstance } from "fastify";
import { buildApp } from "../src/app.js";
import type { Deps } from "../src/deps.js";
import { acceptTestToken } from "./auth.js";
import { testDeps, type TestDeps, type TestDepsOptions } from "./deps.js";
import { RecordingMailer, V1 } from "./sessions.js";

export interface BindingApp {
  app: FastifyInstance;
  deps: TestDeps;
  mailer: RecordingMailer;
  close(): Promise<void>;
}

export async function bindingApp(
  options: TestDepsOptions = {},
  override: Partial<Deps> = {},
): Promise<BindingApp> {
  const emailConf = { "email.ratelimit_sender.burst": 1000, ...options.conf?.email };
  const deps = await testDeps({
    auth: acceptTestToken,
    ...options,
    conf: { ...options.conf, email: emailConf },
  });
  const mailer = new RecordingMailer();
  const app = buildApp({ ...deps, mailer, ...override });
  return {
    app,
    deps,
    mailer,
    async close() {
      await app.close();
      await deps.cleanup();
    },
  };
}

export interface SessionOptions {
  /** Default true: submit the emailed token. */
  validate?: boolean;
}

/** requestToken for `email` with `secret` (then submitToken unless told not to); returns the sid. */
export async function emailSession(
  b: BindingApp,
  email: string,
  secret: string,
  options: SessionOptions = {},
): Promise<string> {
  const res = await b.app.inject({
    method: "POST",
    url: `${V1}/validate/email/requestToken`,
    payload: { email, client_secret: secret, send_attempt: 1 },
  });
  assert.equal(res.statusCode, 200, res.body);
  const sid = String(res.json().sid);
  const token = b.mailer.sent.at(-1)?.vars.token;
  if (options.validate === false) return sid;
  const done = await b.app.inject({
    method: "POST",
    url: `${V1}/validate/email/submitToken`,
    payload: { sid, client_secret: secret, token },
  });
  assert.equal(done.statusCode, 200, done.body);
  assert.equal(done.json().success, true, done.body);
  return sid;
}

/** Runs fn with a fresh app, closed afterwards. */
export async function withBindingApp(
  options: TestDepsOptions,
  fn: (b: BindingApp) => Promise<void>,
): Promise<void> {
  const b = await bindingApp(options);
  try {
    await fn(b);
  } finally {
    await b.close();
  }
}

/** POST v1/3pid/bind with the session; asserts a 200 and returns the signed association. */
export async function bindV1(
  b: BindingApp,
  sid: string,
  secret: string,
  mxid: string,
): Promise<Record<string, unknown>> {
  const res = await b.app.inject({
    method: "POST",
    url: `${V1}/3pid/bind`,
    payload: { sid, client_secret: secret, mxid },
  });
  assert.equal(res.statusCode, 200, res.body);
  return res.json();
}
