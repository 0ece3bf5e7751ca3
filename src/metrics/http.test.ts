import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { testDeps, type TestDeps } from "../../test/deps.js";
import { buildApp } from "../app.js";
import { servletFor } from "./servlets.js";

let deps: TestDeps;
before(async () => {
  deps = await testDeps();
});
after(() => deps.cleanup());

test("paths map to Sydent's servlet names on both trees", () => {
  assert.equal(servletFor("/_matrix/identity/v2/lookup"), "LookupV2Servlet");
  assert.equal(servletFor("/_matrix/identity/api/v1/lookup"), "LookupServlet");
  assert.equal(servletFor("/_matrix/identity/api/v1/pubkey/ed25519:0"), "Ed25519Servlet");
  assert.equal(servletFor("/_matrix/identity/v2"), "CorsServlet");
  assert.equal(servletFor("/_matrix/identity/internal/bind"), "AuthenticatedBindThreePidServlet");
  assert.equal(servletFor("/_cairn/health"), undefined);
});

test("requests are counted by servlet and plain method; 405s count, 404s do not", async () => {
  const app = buildApp(deps);
  await app.inject({ url: "/_matrix/identity/v2/pubkey/ed25519:0" });
  await app.inject({ url: "/_matrix/identity/v2/pubkey/ed25519%3A0" });
  await app.inject({ method: "POST", url: "/_matrix/identity/v2/pubkey/ed25519:0", payload: "{}" });
  await app.inject({ url: "/_matrix/identity/v2/nowhere" });
  const text = await deps.metrics.registry.metrics();
  assert.match(text, /sydent_http_received_requests_total\{servlet="Ed25519Servlet",method="GET"\} 2/);
  assert.match(text, /sydent_http_received_requests_total\{servlet="Ed25519Servlet",method="POST"\} 1/);
  assert.doesNotMatch(text, /nowhere/);
  assert.match(
    text,
    /cairn_http_request_duration_seconds_count\{route="\/_matrix\/identity\/v2\/pubkey\/ed25519:0",method="GET",status="200"\} 2/,
  );
});
