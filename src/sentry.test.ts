// Sentry against a real loopback HTTP server standing in for sentry.io: the DSN points at it and the
// test reads the envelopes the SDK posts.
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, test } from "node:test";
import { startHttpServer, type TestHttpServer } from "../test/http-server.js";
import { captureLog } from "../test/log-capture.js";
import { baseApp } from "./app.js";
import { startSentry, type ErrorReporter } from "./sentry.js";

let sentry: TestHttpServer;
let reporter: ErrorReporter;
before(async () => {
  sentry = await startHttpServer(() => ({ status: 200, body: "{}" }));
  const dsn = sentry.base.replace("http://", "http://publickey@") + "/1";
  reporter = await startSentry({ dsn, serverName: "id.cairn.test", release: "cairn@0.0.0-test" });
});
after(async () => {
  await reporter.close(2000);
  await sentry.close();
});

/** The event items of every envelope received so far. */
function events(): Record<string, unknown>[] {
  return sentry.requests.flatMap((r) => {
    const [, header, item] = r.body.split("\n");
    return header && (JSON.parse(header) as { type: string }).type === "event"
      ? [JSON.parse(item!) as Record<string, unknown>]
      : [];
  });
}

async function waitForEvents(n: number): Promise<Record<string, unknown>[]> {
  for (let i = 0; i < 200 && events().length < n; i++) await sleep(25);
  return events();
}

test("a 500 is reported with its request id, and without the addresses its error quoted", async () => {
  const { log } = captureLog(reporter);
  const app = baseApp(log, undefined);
  app.get("/boom", async () => {
    throw new Error("UNIQUE failed for alice@example.org / +44 7700 900461 at /x?client_secret=abc");
  });
  const res = await app.inject({ url: "/boom" });
  assert.equal(res.statusCode, 500);
  const [event] = await waitForEvents(1);
  assert.ok(event, "an event reached the DSN host");
  const request = sentry.requests[0]!;
  assert.match(request.url, /^\/api\/1\/envelope\/.*sentry_key=publickey/);
  assert.deepEqual(event.tags, {
    sydent_server_name: "id.cairn.test",
    request_id: res.headers["x-request-id"],
  });
  assert.equal(event.release, "cairn@0.0.0-test");
  const exception = (event.exception as { values: { type: string; value: string }[] }).values[0]!;
  assert.equal(exception.type, "Error");
  assert.equal(exception.value, "UNIQUE failed for <email> / <number> at /x?client_secret=<redacted>");
  assert.deepEqual(event.extra, { log_message: "request failed" });
  assert.equal(event.request, undefined);
  assert.equal(event.user, undefined);
  // Whole values: fragments as short as "7700" turn up in the envelope's random ids and timestamps.
  for (const secret of ["alice@example.org", "7700 900461", "client_secret=abc"]) {
    assert.ok(!request.body.includes(secret), secret);
  }
});

test("Matrix errors and lines below error level are not reported", async () => {
  const before = events().length;
  const { log } = captureLog(reporter);
  log.warn({ err: new Error("a warning") }, "only logged");
  log.error("an error line without an error");
  const app = baseApp(log, undefined);
  const res = await app.inject({ url: "/nowhere" });
  assert.equal(res.statusCode, 404);
  log.error({ err: new Error("this one") }, "reported");
  const all = await waitForEvents(before + 1);
  await sleep(200);
  assert.equal(events().length, before + 1);
  assert.equal((all.at(-1)?.extra as { log_message: string }).log_message, "reported");
  assert.equal((all.at(-1)?.tags as Record<string, string>).request_id, undefined);
});
