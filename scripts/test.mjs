// Runs every *.test.ts under src/ and test/ with node:test (TypeScript through tsx).
// Usage: node scripts/test.mjs [path-filter ...]
// PostgreSQL suites run when CAIRN_TEST_POSTGRES_URL is set and are skipped, with a notice, otherwise.
// Every test process logs into one directory ($CAIRN_TEST_LOG_DIR); after the run, those logs are
// scanned for secrets (test/log-scan.ts) and the run fails if any is found.
import { spawnSync } from "node:child_process";
import { availableParallelism, tmpdir } from "node:os";
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const root = new URL("..", import.meta.url).pathname;

function find(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...find(path));
    else if (name.endsWith(".test.ts")) out.push(relative(root, path));
  }
  return out;
}

const filters = process.argv.slice(2);
const files = ["src", "test", "bench"]
  .flatMap((dir) => {
    try {
      return find(join(root, dir));
    } catch {
      return [];
    }
  })
  .filter((f) => filters.length === 0 || filters.some((p) => f.includes(p)))
  .sort();

if (files.length === 0) {
  console.error("no test files matched");
  process.exit(1);
}

const pg = process.env.CAIRN_TEST_POSTGRES_URL;
console.log(
  pg
    ? `PostgreSQL suites: running against ${pg.replace(/\/\/[^@]*@/, "//")}`
    : "PostgreSQL suites: SKIPPED (CAIRN_TEST_POSTGRES_URL is not set; .ci/run sets it)",
);

const concurrency = process.env.CAIRN_TEST_CONCURRENCY ?? String(Math.max(2, availableParallelism() * 2));
const logDir = mkdtempSync(join(tmpdir(), "cairn-test-logs-"));
const result = spawnSync(
  process.execPath,
  [
    "--import",
    "tsx",
    "--test",
    `--test-concurrency=${concurrency}`,
    "--test-timeout=120000",
    "--test-reporter=spec",
    ...files,
  ],
  { cwd: root, stdio: "inherit", env: { ...process.env, CAIRN_TEST: "1", CAIRN_TEST_LOG_DIR: logDir } },
);
if (!pg) console.log("\nNote: PostgreSQL suites were skipped (CAIRN_TEST_POSTGRES_URL is not set).");
const scan = spawnSync(process.execPath, ["--import", "tsx", "test/log-scan-cli.ts", logDir], {
  cwd: root,
  stdio: "inherit",
});
if (scan.status === 0) rmSync(logDir, { recursive: true, force: true });
else console.log(`The logs are kept in ${logDir}.`);
process.exit(result.status || scan.status || 0);
