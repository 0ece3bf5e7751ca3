// What the load generator sends: v2 sha256 lookups of a fixed number of hashes, nine in ten of
// stored 3PIDs spread over the whole table and one in ten of 3PIDs never stored. Bodies are made
// before the run (hashing is the client's work, not the server's), from a seeded generator so
// that every run asks the same questions.
import { BENCH_PEPPER, hashOf, missingThreepid, storedThreepid } from "./dataset.js";

/** Distinct bodies cycled through by each case. */
const BODIES = 64;
const HIT_RATIO = 0.9;

export interface Workload {
  bodies: string[];
  /** For each body, how many of its hashes are stored (the answer's expected size). */
  hits: number[];
}

/** mulberry32: a small, fast, seeded generator; plenty for picking rows. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

export function lookupWorkload(rows: number, batch: number): Workload {
  const random = seeded(batch);
  const bodies: string[] = [];
  const hits: number[] = [];
  let misses = 0;
  for (let b = 0; b < BODIES; b++) {
    const hashes = new Set<string>();
    let found = 0;
    while (hashes.size < batch) {
      const hit = random() < HIT_RATIO;
      const hash = hashOf(hit ? storedThreepid(Math.floor(random() * rows)) : missingThreepid(misses++));
      if (hashes.has(hash)) continue;
      hashes.add(hash);
      if (hit) found++;
    }
    bodies.push(JSON.stringify({ addresses: [...hashes], algorithm: "sha256", pepper: BENCH_PEPPER }));
    hits.push(found);
  }
  return { bodies, hits };
}
