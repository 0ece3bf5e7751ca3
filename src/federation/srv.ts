// SRV lookups for server discovery: answers cached for their TTL, a failed lookup falling back
// to the last answer (even expired), and the choice of one record (lowest priority, then
// weighted random, as RFC 2782).
import type { Clock } from "../clock.js";
import type { Random } from "../crypto/random.js";
import { remember } from "./cache.js";
import type { SrvRecord } from "./dns-srv.js";
import type { Resolver } from "./dns.js";
import { FederationError } from "./types.js";

export interface SrvLookup {
  records: SrvRecord[];
  /** True when the answer came from the cache (fresh, or stale because DNS failed). */
  cached: boolean;
}

export interface SrvCache {
  /**
   * The records at `name` ([] when there are none). Throws FederationError `dns` when DNS fails
   * with nothing cached, or when the only record declines the service (target `.`).
   */
  lookup(name: string): Promise<SrvLookup>;
}

export function createSrvCache(resolver: Resolver, clock: Clock): SrvCache {
  const cache = new Map<string, { records: SrvRecord[]; expiresAt: number }>();
  return {
    async lookup(name) {
      const key = name.toLowerCase();
      const hit = cache.get(key);
      if (hit && hit.expiresAt > clock.now()) return usable(name, hit.records, true);
      let answer;
      try {
        answer = await resolver.srv(name);
      } catch (err) {
        if (hit) return usable(name, hit.records, true);
        const reason = err instanceof Error ? err.message : String(err);
        throw new FederationError("dns", `DNS: SRV lookup of ${name} failed (${reason})`);
      }
      if (answer.records.length > 0) {
        remember(cache, key, { records: answer.records, expiresAt: clock.now() + answer.ttlSeconds * 1000 });
      }
      return usable(name, answer.records, false);
    },
  };
}

function usable(name: string, records: SrvRecord[], cached: boolean): SrvLookup {
  if (records.length === 1 && records[0]?.name === ".") {
    throw new FederationError("dns", `DNS: ${name} says the service is not available here (SRV target ".")`);
  }
  return { records, cached };
}

/** One record of the lowest-priority group, chosen at random in proportion to the weights. */
export function pickSrvRecord(records: readonly SrvRecord[], random: Random): SrvRecord | undefined {
  const usable = records.filter((r) => r.name !== ".");
  if (usable.length === 0) return undefined;
  const priority = Math.min(...usable.map((r) => r.priority));
  const group = usable.filter((r) => r.priority === priority);
  const total = group.reduce((sum, r) => sum + r.weight, 0);
  if (total === 0) return group[random.int(group.length - 1)];
  let target = random.int(total - 1) + 1;
  for (const record of group) {
    target -= record.weight;
    if (target <= 0) return record;
  }
  return group[group.length - 1];
}
