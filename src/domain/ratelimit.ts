// Rate limits as Sydent applies them (behaviour §9.1): a leaky bucket per key. A key is refused
// while its count is at `burst`; each accepted request adds one; a clock ticking every 1/rate_hz
// seconds, started when the limiter is made, takes one from every count. The interface is async
// so that a shared store (Redis) can back it when several instances serve one domain.
import type { Clock } from "../clock.js";
import type { Config } from "../config/types.js";
import { MatrixError } from "../errors.js";

/** Email requestToken (per client IP on v1, per user on v2) and, later, store-invite senders. */
export type RateLimitBucket = "emailSender" | "msisdn" | "country";

export interface BucketLimits {
  burst: number;
  rateHz: number;
}

export type RateLimitOutcome = { ok: true } | { ok: false; retryAfterMs: number };

export interface RateLimiter {
  /** Counts one request for `key` in `bucket`, unless the key is at its limit. */
  take(bucket: RateLimitBucket, key: string): Promise<RateLimitOutcome>;
}

interface Count {
  value: number;
  /** The tick (index since the limiter started) the value was last brought up to date at. */
  tick: number;
}

class MemoryBucket {
  private readonly counts = new Map<string, Count>();
  private readonly periodMs: number;
  private readonly start: number;
  private lastSweep: number;

  constructor(
    private readonly limits: BucketLimits,
    private readonly clock: Clock,
  ) {
    this.periodMs = 1000 / limits.rateHz;
    this.start = clock.now();
    this.lastSweep = 0;
  }

  /** How many ticks have happened up to `now` (the first one at the start). */
  private tickAt(now: number): number {
    return Math.floor((now - this.start) / this.periodMs);
  }

  private current(key: string, tick: number): number {
    const count = this.counts.get(key);
    if (!count) return 0;
    return Math.max(0, count.value - (tick - count.tick));
  }

  take(key: string): RateLimitOutcome {
    const now = this.clock.now();
    const tick = this.tickAt(now);
    this.sweep(tick);
    const value = this.current(key, tick);
    if (value >= this.limits.burst) {
      const nextTick = this.start + (tick + 1) * this.periodMs;
      return { ok: false, retryAfterMs: Math.max(1, Math.ceil(nextTick - now)) };
    }
    this.counts.set(key, { value: value + 1, tick });
    return { ok: true };
  }

  /** Once per tick, forgets the keys whose count has leaked away (Sydent drops them at zero). */
  private sweep(tick: number): void {
    if (tick === this.lastSweep) return;
    this.lastSweep = tick;
    for (const [key, count] of this.counts) {
      if (count.value - (tick - count.tick) <= 0) this.counts.delete(key);
    }
  }

  /** Keys currently remembered (for tests of the memory bound). */
  get size(): number {
    return this.counts.size;
  }
}

/** The configured limits: `[email] email.ratelimit_sender.*`, `[sms] msisdn.ratelimit.*`, `[sms] country.ratelimit.*`. */
export function configuredLimits(
  config: Pick<Config, "email" | "sms">,
): Record<RateLimitBucket, BucketLimits> {
  const { email, sms } = config;
  return {
    emailSender: { burst: email.senderRatelimitBurst, rateHz: email.senderRatelimitRateHz },
    msisdn: { burst: sms.msisdnRatelimitBurst, rateHz: sms.msisdnRatelimitRateHz },
    country: { burst: sms.countryRatelimitBurst, rateHz: sms.countryRatelimitRateHz },
  };
}

/** One process's limiter: counts live in memory, as in Sydent. */
export class MemoryRateLimiter implements RateLimiter {
  private readonly buckets: Record<RateLimitBucket, MemoryBucket>;

  constructor(limits: Record<RateLimitBucket, BucketLimits>, clock: Clock) {
    this.buckets = {
      emailSender: new MemoryBucket(limits.emailSender, clock),
      msisdn: new MemoryBucket(limits.msisdn, clock),
      country: new MemoryBucket(limits.country, clock),
    };
  }

  async take(bucket: RateLimitBucket, key: string): Promise<RateLimitOutcome> {
    return this.buckets[bucket].take(key);
  }

  /** Keys remembered in a bucket. */
  keys(bucket: RateLimitBucket): number {
    return this.buckets[bucket].size;
  }
}

/**
 * Takes one from the bucket or throws 429 `M_LIMIT_EXCEEDED` with `retry_after_ms` and a
 * `Retry-After` header (seconds, rounded up).
 */
export async function enforceRateLimit(
  limiter: RateLimiter,
  bucket: RateLimitBucket,
  key: string,
  message: string,
): Promise<void> {
  const outcome = await limiter.take(bucket, key);
  if (outcome.ok) return;
  // The spec's errcode and retry hint; Sydent answers M_UNKNOWN without either.
  throw new MatrixError("M_LIMIT_EXCEEDED", message, {
    extra: { retry_after_ms: outcome.retryAfterMs },
    headers: { "Retry-After": String(Math.ceil(outcome.retryAfterMs / 1000)) },
  });
}
