import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { test } from "node:test";
import { captureLog } from "../../test/log-capture.js";
import { baseApp } from "../app.js";

function app() {
  const captured = captureLog();
  const fastify = baseApp(captured.log, undefined);
  // Domain code logs through the process logger, not req.log, and after awaiting I/O.
  fastify.post("/work", async () => {
    await sleep(5);
    captured.log.info("domain step");
    return {};
  });
  fastify.get("/fail", async () => {
    await sleep(1);
    throw new Error("boom");
  });
  return { fastify, captured };
}

test("every line logged while a request is handled carries its id, which the response returns", async () => {
  const { fastify, captured } = app();
  // Over a real socket: the body arrives in stream callbacks, outside the context of the hooks.
  const base = await fastify.listen({ host: "127.0.0.1", port: 0 });
  const res = await fetch(`${base}/work`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ a: "x".repeat(100_000) }),
  });
  await fastify.close();
  assert.equal(res.status, 200);
  const id = res.headers.get("x-request-id");
  assert.match(String(id), /^[0-9a-f]{16}$/);
  const lines = captured.records().filter((l) => !String(l.msg).startsWith("Server listening"));
  assert.deepEqual(
    lines.map((l) => [l.msg, l.reqId]),
    [
      ["domain step", id],
      ["request", id],
    ],
  );
  // Each line names it once (the mixin stays out of req.log's lines, which bind it already).
  assert.equal(captured.text().split('"reqId"').length - 1, 2);
  captured.log.info("outside any request");
  assert.equal(captured.records().at(-1)?.reqId, undefined);
});

test("a sane incoming X-Request-ID is kept; anything else is replaced", async () => {
  const { fastify, captured } = app();
  const kept = await fastify.inject({ url: "/fail", headers: { "x-request-id": "lb-7f3a.9_Z" } });
  assert.equal(kept.statusCode, 500);
  assert.equal(kept.headers["x-request-id"], "lb-7f3a.9_Z");
  const failed = captured.records().find((l) => l.msg === "request failed");
  assert.equal(failed?.reqId, "lb-7f3a.9_Z");
  for (const bad of ["alice@example.org", "a b", "x".repeat(65), ""]) {
    const res = await fastify.inject({ url: "/fail", headers: { "x-request-id": bad } });
    assert.match(String(res.headers["x-request-id"]), /^[0-9a-f]{16}$/, bad);
  }
});
