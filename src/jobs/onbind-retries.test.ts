// Onbind failures against a real HTTPS homeserver on loopback, with the clock pinned and moved by
// hand so every retry time is exact: down then back across a restart, 4xx final, 429/500 retried,
// the give-up time, a dead process's claim.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { SignedAssociation } from "../domain/signed-association.js";
import { FIXTURE_NOW } from "../../test/deps.js";
import { captureLog } from "../../test/log-capture.js";
import {
  HOUR_MS,
  metric,
  ONBIND_ADDRESS as ADDRESS,
  onbindHomeserver,
  queueBind as bind,
  sender,
  storeInvite,
} from "../../test/onbind.js";
import { tempDatabase } from "../../test/sqlite-files.js";
import { CLAIM_MS, FIRST_RETRY_MS } from "./onbind-delivery.js";

describe("onbind failures and restarts (sqlite)", () => {
  test("a homeserver that is down, then back after a restart, receives the notification", async () => {
    const hs = await onbindHomeserver({ up: false });
    const file = tempDatabase();
    const conf = { db: { "db.file": file.path } };
    try {
      const first = await hs.deps("sqlite", conf);
      let signed: SignedAssociation;
      try {
        await storeInvite(first, "tokenA");
        signed = await bind(first, hs.mxid("invitee"));
        await sender(first).runOnce();
        assert.equal(await first.store.onbind.depth(), 1);
        // Claimed until its own retry time: a look that changes nothing.
        const retryAt = FIXTURE_NOW + FIRST_RETRY_MS;
        const [queued] = await first.store.onbind.claimDue(retryAt, 1, retryAt);
        assert.equal(queued?.attempts, 1, "one failed attempt");
        assert.match(queued?.lastError ?? "", /^connect/);
        assert.equal(await metric(first, "cairn_onbind_deliveries_total", "retry"), 1);
      } finally {
        await first.cleanup();
      }

      await hs.up();
      // A new process on the same database file, 10 s later.
      const second = await hs.deps("sqlite", conf);
      try {
        second.clock.set(FIXTURE_NOW + FIRST_RETRY_MS);
        await sender(second).runOnce();
        assert.equal(hs.received.length, 1);
        assert.deepEqual(JSON.parse(hs.received[0]?.body ?? ""), JSON.parse(JSON.stringify(signed)));
        assert.equal(await second.store.onbind.depth(), 0);
        assert.deepEqual(await second.store.invites.list({}), []);
      } finally {
        await second.cleanup();
      }
    } finally {
      await hs.down();
      file.remove();
    }
  });

  test("a 400 gets exactly one attempt: the notification is dropped with a warning naming no address or token", async () => {
    const hs = await onbindHomeserver({ up: true });
    hs.answer(400);
    const deps = await hs.deps();
    const captured = captureLog();
    try {
      await storeInvite(deps, "tokenSecret");
      await bind(deps, hs.mxid("invitee"));
      const delivery = sender(deps, captured.log);
      await delivery.runOnce();
      deps.clock.advance(48 * HOUR_MS);
      await delivery.runOnce();
      assert.equal(hs.received.length, 1);
      assert.equal(await deps.store.onbind.depth(), 0);
      assert.equal(await metric(deps, "cairn_onbind_deliveries_total", "gave_up"), 1);
      const warnings = captured.records().filter((r) => r.level === 40);
      assert.equal(warnings.length, 1);
      assert.equal(warnings[0]?.error, "HTTP 400");
      assert.equal(warnings[0]?.destination, hs.serverName);
      const text = JSON.stringify(captured.records());
      assert.ok(!text.includes(ADDRESS) && !text.includes("tokenSecret") && !text.includes("invitee"), text);
      const [invite] = await deps.store.invites.list({ address: ADDRESS });
      assert.equal(invite?.token, "tokenSecret", "undelivered tokens are kept");
    } finally {
      await deps.cleanup();
      await hs.down();
    }
  });

  test("429 and 500 are retried after 10 s, then 20 s, and the notification arrives", async () => {
    const hs = await onbindHomeserver({ up: true });
    const deps = await hs.deps();
    try {
      await bind(deps, hs.mxid("invitee"));
      const delivery = sender(deps);
      hs.answer(500);
      await delivery.runOnce();
      assert.equal(hs.received.length, 1);
      deps.clock.advance(FIRST_RETRY_MS - 1);
      await delivery.runOnce();
      assert.equal(hs.received.length, 1, "not before 10 s");
      hs.answer(429);
      deps.clock.advance(1);
      await delivery.runOnce();
      assert.equal(hs.received.length, 2);
      deps.clock.advance(2 * FIRST_RETRY_MS - 1);
      await delivery.runOnce();
      assert.equal(hs.received.length, 2, "not before 20 s more");
      hs.answer(200);
      deps.clock.advance(1);
      await delivery.runOnce();
      assert.equal(hs.received.length, 3);
      assert.equal(hs.received[0]?.body, hs.received[2]?.body, "the same body each time");
      assert.equal(await deps.store.onbind.depth(), 0);
      assert.equal(await metric(deps, "cairn_onbind_deliveries_total", "retry"), 2);
      assert.equal(await metric(deps, "cairn_onbind_deliveries_total", "delivered"), 1);
    } finally {
      await deps.cleanup();
      await hs.down();
    }
  });

  test("retries stop at give_up_after_hours: a last attempt at the deadline, then a warning", async () => {
    const hs = await onbindHomeserver({ up: true });
    hs.answer(503);
    const deps = await hs.deps("sqlite", { onbind: { give_up_after_hours: 1 } });
    const captured = captureLog();
    try {
      await bind(deps, hs.mxid("invitee"));
      const delivery = sender(deps, captured.log);
      // 10+20+40+80+160+320+640+1280 s = 2550 s; the next wait (2560 s) passes the hour.
      for (let attempt = 1; attempt <= 9; attempt++) {
        await delivery.runOnce();
        assert.equal(hs.received.length, attempt);
        assert.equal(await deps.store.onbind.depth(), 1, `still queued after attempt ${attempt}`);
        const next = attempt < 9 ? FIXTURE_NOW + FIRST_RETRY_MS * (2 ** attempt - 1) : FIXTURE_NOW + HOUR_MS;
        deps.clock.set(next - 1);
        await delivery.runOnce();
        assert.equal(hs.received.length, attempt, "no attempt early");
        deps.clock.set(next);
      }
      await delivery.runOnce();
      assert.equal(hs.received.length, 10, "the last attempt, at the deadline");
      assert.equal(await deps.store.onbind.depth(), 0);
      const warnings = captured.records().filter((r) => r.level === 40);
      assert.equal(warnings.length, 1);
      assert.equal(warnings[0]?.error, "HTTP 503");
    } finally {
      await deps.cleanup();
      await hs.down();
    }
  });

  test("a notification claimed by a process that died is sent once the claim lapses", async () => {
    const hs = await onbindHomeserver({ up: true });
    const deps = await hs.deps();
    try {
      await bind(deps, hs.mxid("invitee"));
      // The dead process's claim.
      assert.equal((await deps.store.onbind.claimDue(FIXTURE_NOW, 10, FIXTURE_NOW + CLAIM_MS)).length, 1);
      const delivery = sender(deps);
      deps.clock.set(FIXTURE_NOW + CLAIM_MS - 1);
      await delivery.runOnce();
      assert.equal(hs.received.length, 0);
      deps.clock.set(FIXTURE_NOW + CLAIM_MS);
      await delivery.runOnce();
      assert.equal(hs.received.length, 1);
      assert.equal(await deps.store.onbind.depth(), 0);
    } finally {
      await deps.cleanup();
      await hs.down();
    }
  });
});
