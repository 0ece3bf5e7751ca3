// Onbind delivery against a real HTTPS homeserver on loopback, through the real federation client
// and a real store; the clock is pinned and moved by hand, so every retry time is exact.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { cryptoRandom } from "../crypto/random.js";
import { verifySignedJson } from "../crypto/signed-json.js";
import { enqueueOnbind, ONBIND_PATH } from "../domain/onbind.js";
import {
  associationFromLocal,
  ASSOCIATION_LIFETIME_MS,
  type SignedAssociation,
} from "../domain/signed-association.js";
import { engines, FIXTURE_NOW, TEST_SERVER_NAME, type TestDeps } from "../../test/deps.js";
import { captureLog } from "../../test/log-capture.js";
import { onbindHomeserver } from "../../test/onbind.js";
import { tempDatabase } from "../../test/sqlite-files.js";
import {
  CLAIM_MS,
  createOnbindDelivery,
  FIRST_RETRY_MS,
  MAX_RETRY_MS,
  retryDelayMs,
} from "./onbind-delivery.js";

const ADDRESS = "invitee@example.org";
const HOUR_MS = 60 * 60 * 1000;
/** Randomness without jitter: retries come exactly at 10 s, 20 s, 40 s, ... */
const noJitter = { ...cryptoRandom, int: () => 0 };

async function storeInvite(deps: TestDeps, token: string) {
  await deps.store.invites.add({
    medium: "email",
    address: ADDRESS,
    roomId: `!room-${token}:other.example`,
    sender: "@inviter:other.example",
    token,
    ephemeralPublicKey: `key-${token}`,
    receivedTs: Math.floor(FIXTURE_NOW / 1000),
    expiresAt: FIXTURE_NOW + 24 * HOUR_MS,
  });
}

function bind(deps: TestDeps, mxid: string): Promise<SignedAssociation> {
  const now = deps.clock.now();
  const association = associationFromLocal({
    id: 1,
    medium: "email",
    address: ADDRESS,
    mxid,
    ts: now,
    notBefore: now,
    notAfter: now + ASSOCIATION_LIFETIME_MS,
    lookupHash: "h",
  });
  return deps.store.transaction((tx) => enqueueOnbind(tx, deps, { mxid, association }));
}

function sender(deps: TestDeps, log = deps.log) {
  return createOnbindDelivery({ ...deps, log, random: noJitter });
}

async function metric(deps: TestDeps, name: string, outcome?: string): Promise<number> {
  const found = (await deps.metrics.registry.getSingleMetric(name)?.get())?.values ?? [];
  return found.find((v) => outcome === undefined || v.labels.outcome === outcome)?.value ?? 0;
}

test("retry delays double from 10 s to a cap of 1 h, less up to a fifth at random", () => {
  assert.deepEqual(
    [1, 2, 3, 9, 10, 50].map((n) => retryDelayMs(n, noJitter)),
    [10_000, 20_000, 40_000, 2_560_000, MAX_RETRY_MS, MAX_RETRY_MS],
  );
  const most = { ...cryptoRandom, int: (max: number) => max };
  const delay = retryDelayMs(1, most);
  assert.equal(delay, 8_000);
});

for (const engine of engines()) {
  describe(`onbind delivery (${engine})`, () => {
    test("the homeserver receives the exact signed body, invitations included; the tokens are then deleted", async () => {
      const hs = await onbindHomeserver({ up: true });
      const deps = await hs.deps(engine);
      try {
        await storeInvite(deps, "tokenA");
        await storeInvite(deps, "tokenB");
        const mxid = hs.mxid("invitee");
        const signed = await bind(deps, mxid);
        await sender(deps).runOnce();

        assert.equal(hs.received.length, 1);
        const [request] = hs.received;
        assert.ok(request);
        assert.equal(request.url, ONBIND_PATH);
        assert.equal(request.headers["content-type"], "application/json");
        assert.equal(request.headers.authorization, undefined);
        assert.equal(request.headers.host, hs.serverName);
        const body = JSON.parse(request.body) as Record<string, unknown>;
        assert.deepEqual(body, JSON.parse(JSON.stringify(signed)));
        const key = deps.serverKey.publicKey;
        assert.ok(verifySignedJson(body, TEST_SERVER_NAME, "ed25519:0", key).ok, "association signature");
        const invites = body.invites as Record<string, unknown>[];
        assert.deepEqual(
          invites.map((i) => [i.token, i.mxid, i.address, i.room_id]),
          [
            ["tokenA", mxid, ADDRESS, "!room-tokenA:other.example"],
            ["tokenB", mxid, ADDRESS, "!room-tokenB:other.example"],
          ],
        );
        for (const invite of invites) {
          const proof = invite.signed as Record<string, unknown>;
          assert.deepEqual({ mxid: proof.mxid, token: proof.token }, { mxid, token: invite.token });
          assert.ok(verifySignedJson(proof, TEST_SERVER_NAME, "ed25519:0", key).ok, "invite proof signature");
        }

        assert.equal(await deps.store.onbind.depth(), 0);
        assert.deepEqual(await deps.store.invites.list({ address: ADDRESS }), [], "delete_tokens_on_bind");
        assert.equal(await metric(deps, "cairn_onbind_deliveries_total", "delivered"), 1);
        assert.equal(await metric(deps, "cairn_onbind_queue_depth"), 0);
      } finally {
        await deps.cleanup();
        await hs.down();
      }
    });

    test("senders of several instances on one database send each notification once", async () => {
      const hs = await onbindHomeserver({ up: true });
      const deps = await hs.deps(engine);
      try {
        for (let i = 0; i < 30; i++) await bind(deps, hs.mxid(`user${i}`));
        await Promise.all([sender(deps).runOnce(), sender(deps).runOnce(), sender(deps).runOnce()]);
        const mxids = hs.received.map((r) => (JSON.parse(r.body) as { mxid: string }).mxid);
        assert.equal(mxids.length, 30);
        assert.equal(new Set(mxids).size, 30);
        assert.equal(await deps.store.onbind.depth(), 0);
      } finally {
        await deps.cleanup();
        await hs.down();
      }
    });
  });
}

describe("onbind delivery: settings, failures and restarts (sqlite)", () => {
  test("with delete_tokens_on_bind off, delivered invitations stay, marked sent", async () => {
    const hs = await onbindHomeserver({ up: true });
    const deps = await hs.deps("sqlite", { general: { delete_tokens_on_bind: "false" } });
    try {
      await storeInvite(deps, "tokenA");
      await bind(deps, hs.mxid("invitee"));
      await sender(deps).runOnce();
      assert.equal(hs.received.length, 1);
      const invites = await deps.store.invites.list({ address: ADDRESS });
      assert.deepEqual(
        invites.map((i) => [i.token, i.sentTs]),
        [["tokenA", Math.floor(FIXTURE_NOW / 1000)]],
      );
    } finally {
      await deps.cleanup();
      await hs.down();
    }
  });

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

  test("a kick after a bind sends at once", async () => {
    const hs = await onbindHomeserver({ up: true });
    const deps = await hs.deps();
    try {
      await bind(deps, hs.mxid("invitee"));
      deps.onbind.kick();
      for (let i = 0; i < 100 && hs.received.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      assert.equal(hs.received.length, 1);
    } finally {
      await deps.cleanup();
      await hs.down();
    }
  });
});
