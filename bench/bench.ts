// The lookup benchmark: datasets on SQLite (and PostgreSQL when given a server), the real Cairn app
// on each and a bare Fastify route beside them, each in its own process on 127.0.0.1, then v2
// sha256 lookups of 1 and 1,000 hashes against each for a fixed time (after a warm-up of a quarter
// of it). Every target's answer is checked once before it is measured.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { BENCH_TOKEN, postgresDataset, sqliteDataset, type Log, type PostgresDataset } from "./dataset.js";
import { measure, type Measurement } from "./load.js";
import { startTarget, writeCairnConfig, type Target } from "./targets.js";
import { LOOKUP_PATH } from "./lookup-path.js";
import { lookupWorkload } from "./workload.js";

export const BATCH_SIZES = [1, 1000] as const;

export interface BenchOptions {
  rows: number;
  durationSec: number;
  connections: number;
  /** Where SQLite datasets are cached (and the run's config and log files kept meanwhile). */
  cacheDir: string;
  /** A PostgreSQL server to measure too; the dataset gets a schema of its own, dropped after. */
  postgresUrl?: string;
  log: Log;
  signal?: AbortSignal;
}

export interface CaseResult extends Measurement {
  target: string;
  batch: number;
  addressesPerSec: number;
}

/** Sends one body and checks the answer: 200, and for Cairn as many mappings as stored hashes. */
async function verify(target: Target, body: string, hits: number): Promise<void> {
  const res = await fetch(target.url + LOOKUP_PATH, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${BENCH_TOKEN}` },
    body,
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${target.name}: ${res.status} ${text}`);
  const found = Object.keys((JSON.parse(text) as { mappings: object }).mappings).length;
  if (target.name !== "bare" && found !== hits) {
    throw new Error(`${target.name}: ${found} mappings for ${hits} stored hashes`);
  }
}

export async function runBench(options: BenchOptions): Promise<CaseResult[]> {
  const { rows, log } = options;
  mkdirSync(options.cacheDir, { recursive: true });
  const runDir = mkdtempSync(join(options.cacheDir, "run-"));
  const targets: Target[] = [];
  let postgres: PostgresDataset | undefined;
  try {
    const sqlite = await sqliteDataset(options.cacheDir, rows, log);
    postgres = options.postgresUrl ? await postgresDataset(options.postgresUrl, rows, log) : undefined;
    const starting = [
      startTarget("bare", ["bare"]),
      startTarget("sqlite", ["cairn", writeCairnConfig(runDir, "sqlite", { sqlite })]),
      ...(postgres
        ? [
            startTarget("postgres", [
              "cairn",
              writeCairnConfig(runDir, "postgres", { postgres: postgres.url }),
            ]),
          ]
        : []),
    ];
    const settled = await Promise.allSettled(starting);
    for (const s of settled) if (s.status === "fulfilled") targets.push(s.value);
    for (const s of settled) if (s.status === "rejected") throw s.reason;

    const warmupSec = options.durationSec / 4;
    const results: CaseResult[] = [];
    for (const batch of BATCH_SIZES) {
      const workload = lookupWorkload(rows, batch);
      for (const target of targets) {
        if (options.signal?.aborted) return results;
        await verify(target, workload.bodies[0] ?? "", workload.hits[0] ?? 0);
        log(
          `measuring ${target.name}, batches of ${batch}, ${warmupSec} s warm-up + ${options.durationSec} s`,
        );
        const m = await measure(target.url, workload.bodies, { ...options, warmupSec });
        results.push({ ...m, target: target.name, batch, addressesPerSec: m.requestsPerSec * batch });
      }
    }
    return results;
  } finally {
    await Promise.all(targets.map((t) => t.stop()));
    await postgres?.drop();
    rmSync(runDir, { recursive: true, force: true });
  }
}
