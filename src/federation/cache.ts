// Size-bounded in-memory caches for discovery and keys: anyone can make Cairn look up a server
// name (account registration is unauthenticated), so no cache may grow without limit.

export const MAX_CACHED_SERVERS = 10_000;

/** Sets `key` as the newest entry, dropping the oldest ones beyond `max`. */
export function remember<K, V>(map: Map<K, V>, key: K, value: V, max = MAX_CACHED_SERVERS): void {
  map.delete(key);
  map.set(key, value);
  for (const oldest of map.keys()) {
    if (map.size <= max) break;
    map.delete(oldest);
  }
}
