import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { fixedClock } from "../clock.js";
import { MatrixError } from "../errors.js";
import { enforceRateLimit, MemoryRateLimiter, type BucketLimits } from "./ratelimit.js";

// Sydent's own limiter tests use burst 5 at 0.5 Hz (a tick every 2 s).
const sydentTest: BucketLimits = { burst: 5, rateHz: 0.5 };
const other: BucketLimits = { burst: 1, rateHz: 1 };

function limiter(limits: BucketLimits = sydentTest) {
  const clock = fixedClock(1_000_000);
  return {
    clock,
    limiter: new MemoryRateLimiter({ emailSender: limits, msisdn: other, country: other }, clock),
  };
}

const ok = async (l: MemoryRateLimiter, key = "key") => (await l.take("emailSender", key)).ok;

describe("the leaky-bucket limiter behaves as Sydent's tests pin it", () => {
  test("a first request is not limited", async () => {
    assert.equal(await ok(limiter().limiter), true);
  });

  test("burst requests pass, the next one is limited", async () => {
    const { limiter: l } = limiter();
    for (let i = 0; i < 5; i++) assert.equal(await ok(l), true, `request ${i}`);
    assert.equal(await ok(l), false);
  });

  test("after five ticks the whole burst is available again, then limited again", async () => {
    const { limiter: l, clock } = limiter();
    for (let i = 0; i < 5; i++) await ok(l);
    assert.equal(await ok(l), false);
    for (let i = 0; i < 5; i++) clock.advance(2000);
    for (let i = 0; i < 5; i++) assert.equal(await ok(l), true, `request ${i}`);
    assert.equal(await ok(l), false);
  });

  test("a sustained rate above the leak rate is eventually limited", async () => {
    const { limiter: l, clock } = limiter();
    let limitedAt = -1;
    for (let i = 0; i < 100 && limitedAt < 0; i++) {
      clock.advance(1000);
      if (!(await ok(l))) limitedAt = i;
    }
    assert.ok(limitedAt > 5, `limited after ${limitedAt} requests`);
  });

  test("after the burst, requests exactly at the leak rate keep passing; one more is limited", async () => {
    const { limiter: l, clock } = limiter();
    for (let i = 0; i < 5; i++) await ok(l);
    for (let i = 0; i < 100; i++) {
      clock.advance(2000);
      assert.equal(await ok(l), true, `iteration ${i}`);
    }
    assert.equal(await ok(l), false);
  });
});

describe("keys, buckets and memory", () => {
  test("keys and buckets are independent", async () => {
    const { limiter: l } = limiter({ burst: 1, rateHz: 0.5 });
    assert.equal(await ok(l, "a"), true);
    assert.equal(await ok(l, "a"), false);
    assert.equal(await ok(l, "b"), true);
    assert.equal((await l.take("msisdn", "a")).ok, true);
    assert.equal((await l.take("msisdn", "a")).ok, false);
    assert.equal((await l.take("country", "a")).ok, true);
  });

  test("a refusal says when the next tick frees a slot", async () => {
    const { limiter: l, clock } = limiter({ burst: 1, rateHz: 1 / 300 });
    assert.equal(await ok(l), true);
    clock.advance(100_000);
    assert.deepEqual(await l.take("emailSender", "key"), { ok: false, retryAfterMs: 200_000 });
    clock.advance(199_999);
    assert.equal(await ok(l), false);
    clock.advance(1);
    assert.equal(await ok(l), true);
  });

  test("burst 0 refuses everything", async () => {
    const { limiter: l } = limiter({ burst: 0, rateHz: 1 });
    assert.equal(await ok(l), false);
  });

  test("keys whose count has leaked away are forgotten", async () => {
    const { limiter: l, clock } = limiter();
    for (let i = 0; i < 1000; i++) await ok(l, `k${i}`);
    assert.equal(l.keys("emailSender"), 1000);
    clock.advance(2000);
    await ok(l, "fresh");
    assert.equal(l.keys("emailSender"), 1);
  });
});

describe("enforceRateLimit", () => {
  test("throws 429 M_LIMIT_EXCEEDED with retry_after_ms and Retry-After in seconds", async () => {
    const { limiter: l } = limiter({ burst: 0, rateHz: 1 / 300 });
    const err = await enforceRateLimit(l, "emailSender", "k", "Too many requests").then(
      () => assert.fail("not limited"),
      (e: unknown) => e,
    );
    assert.ok(err instanceof MatrixError);
    assert.equal(err.status, 429);
    assert.deepEqual(err.toJSON(), {
      errcode: "M_LIMIT_EXCEEDED",
      error: "Too many requests",
      retry_after_ms: 300_000,
    });
    assert.deepEqual(err.headers, { "Retry-After": "300" });
  });

  test("passes silently under the limit", async () => {
    await enforceRateLimit(limiter().limiter, "emailSender", "k", "x");
  });
});
