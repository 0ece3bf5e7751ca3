import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { testDeps, type TestDeps } from "../../test/deps.js";
import { startPeriodic } from "./periodic.js";

let deps: TestDeps;
before(async () => {
  deps = await testDeps();
});
after(() => deps.cleanup());

const settle = () => new Promise((r) => setTimeout(r, 50));

test("a job runs at start, then not again within its period, even from another process", async () => {
  let runs = 0;
  const job = { name: "count", periodMs: 60_000, run: async () => void runs++ };
  const a = startPeriodic([job], { ...deps, leases: deps.store.leases, holder: "a" });
  const b = startPeriodic([job], { ...deps, leases: deps.store.leases, holder: "b" });
  await settle();
  assert.equal(runs, 1, "two processes starting together run it once");
  await a.stop();
  await b.stop();

  const c = startPeriodic([job], { ...deps, leases: deps.store.leases, holder: "c" });
  await settle();
  await c.stop();
  assert.equal(runs, 1, "a restart within the period does not run it again");

  deps.clock.advance(60_000);
  const d = startPeriodic([job], { ...deps, leases: deps.store.leases, holder: "d" });
  await settle();
  await d.stop();
  assert.equal(runs, 2, "once the period is over it runs again");
});

test("a failing job is logged and does not stop the runner", async () => {
  const errors: unknown[] = [];
  const log = { ...deps.log, error: (obj: unknown) => void errors.push(obj) } as unknown as TestDeps["log"];
  const runner = startPeriodic(
    [{ name: "fails", periodMs: 60_000, run: async () => Promise.reject(new Error("boom")) }],
    { ...deps, log, leases: deps.store.leases },
  );
  await settle();
  await runner.stop();
  assert.equal(errors.length, 1);
});
