// Keeps the benchmark from rotting: the whole runner on a tiny dataset with one-second cases.
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { postgresUrl } from "../test/postgres.js";
import { BATCH_SIZES, runBench } from "./bench.js";
import { sqliteDataset } from "./dataset.js";
import { formatTable } from "./table.js";

test("the benchmark runs end to end on a small dataset, checks answers and cleans up", async () => {
  const cacheDir = mkdtempSync(join(tmpdir(), "cairn-bench-"));
  try {
    const lines: string[] = [];
    const options = {
      rows: 2000,
      durationSec: 1,
      connections: 2,
      cacheDir,
      log: (l: string) => lines.push(l),
    };
    const results = await runBench({ ...options, postgresUrl: postgresUrl() });
    const targets = postgresUrl() ? ["bare", "sqlite", "postgres"] : ["bare", "sqlite"];
    assert.deepEqual(
      results.map((r) => `${r.target} ${r.batch}`),
      BATCH_SIZES.flatMap((batch) => targets.map((target) => `${target} ${batch}`)),
    );
    for (const r of results) {
      assert.deepEqual([r.non2xx, r.errors], [0, 0], `${r.target} ${r.batch}`);
      assert.ok(r.requestsPerSec > 0 && r.p50Ms > 0 && r.p99Ms >= r.p50Ms, `${r.target} ${r.batch}`);
      assert.equal(r.addressesPerSec, r.requestsPerSec * r.batch);
    }
    assert.match(formatTable(results), /^sqlite +1000 +[\d,]+ /m);
    assert.ok(lines.some((l) => l.startsWith("SQLite: built 2000 rows")));
    // The SQLite dataset stays cached for the next run; nothing else is left behind.
    assert.deepEqual(readdirSync(cacheDir), ["sqlite-2000-v1.db"]);
    await sqliteDataset(cacheDir, 2000, (l) => lines.push(l));
    assert.ok(lines.some((l) => l.startsWith("SQLite: reusing")));
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
});
