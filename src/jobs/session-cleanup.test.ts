import assert from "node:assert/strict";
import { test } from "node:test";
import { engines, testDeps } from "../../test/deps.js";
import { SESSION_RETENTION_MS } from "../domain/sessions.js";
import { startPeriodic } from "./periodic.js";
import { SESSION_CLEANUP_PERIOD_MS, sessionCleanupJob } from "./session-cleanup.js";

const settle = () => new Promise((r) => setTimeout(r, 50));

for (const engine of engines()) {
  test(`${engine}: sessions untouched for five days go, younger ones stay; once per period across processes`, async () => {
    const deps = await testDeps({ engine });
    try {
      const now = deps.clock.now();
      const base = { medium: "email", address: "a@example.org", token: "t" };
      await deps.store.sessions.create({
        ...base,
        clientSecret: "old",
        sid: 1,
        now: now - SESSION_RETENTION_MS - 1,
      });
      await deps.store.sessions.create({
        ...base,
        clientSecret: "edge",
        sid: 2,
        now: now - SESSION_RETENTION_MS,
      });
      await deps.store.sessions.addNextLink(1, "https://example.org/?sid=1");
      const job = sessionCleanupJob(deps);
      assert.equal(job.periodMs, SESSION_CLEANUP_PERIOD_MS);
      const a = startPeriodic([job], { ...deps, leases: deps.store.leases, holder: "a" });
      await settle();
      await a.stop();
      assert.equal(await deps.store.sessions.get(1), undefined);
      assert.equal(await deps.store.sessions.hasNextLink(1, "https://example.org/?sid=1"), false);
      assert.equal((await deps.store.sessions.get(2))?.sid, 2);

      // Another instance starting within the period does not run it (the edge session would go now).
      deps.clock.advance(1);
      const b = startPeriodic([job], { ...deps, leases: deps.store.leases, holder: "b" });
      await settle();
      await b.stop();
      assert.equal((await deps.store.sessions.get(2))?.sid, 2);

      deps.clock.advance(SESSION_CLEANUP_PERIOD_MS);
      const c = startPeriodic([job], { ...deps, leases: deps.store.leases, holder: "c" });
      await settle();
      await c.stop();
      assert.equal(await deps.store.sessions.get(2), undefined);
    } finally {
      await deps.cleanup();
    }
  });
}
