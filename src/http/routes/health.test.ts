import assert from "node:assert/strict";
import { test } from "node:test";
import { testDeps } from "../../../test/deps.js";
import { buildApp } from "../../app.js";

test("liveness answers; readiness follows the database", async () => {
  const deps = await testDeps();
  const app = buildApp(deps);
  assert.deepEqual((await app.inject({ url: "/_cairn/health" })).json(), { status: "ok" });
  const ready = await app.inject({ url: "/_cairn/ready" });
  assert.equal(ready.statusCode, 200);
  assert.deepEqual(ready.json(), { status: "ready" });

  await deps.store.close();
  const down = await app.inject({ url: "/_cairn/ready" });
  assert.equal(down.statusCode, 503);
  assert.equal(down.json().errcode, "M_UNKNOWN");
  assert.equal(
    (await app.inject({ url: "/_cairn/health" })).statusCode,
    200,
    "liveness does not depend on the database",
  );
});
