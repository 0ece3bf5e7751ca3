// `npm run bench [-- --rows N --duration S --connections C --postgres URL]`: the v2 lookup
// benchmark (bench/bench.ts), printed as a table. PostgreSQL is measured when --postgres or
// CAIRN_TEST_POSTGRES_URL names a server. SQLite datasets are cached in .bench/.
import { cpus, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { runBench } from "./bench.js";
import { formatTable } from "./table.js";

const { values } = parseArgs({
  options: {
    rows: { type: "string", default: "1000000" },
    duration: { type: "string", default: "10" },
    connections: { type: "string", default: "10" },
    postgres: { type: "string" },
  },
});

function positive(name: string, text: string | undefined): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`--${name} must be a positive number, got ${text}`);
  return value;
}

const options = {
  rows: Math.floor(positive("rows", values.rows)),
  durationSec: positive("duration", values.duration),
  connections: Math.floor(positive("connections", values.connections)),
  postgresUrl: values.postgres ?? (process.env.CAIRN_TEST_POSTGRES_URL || undefined),
  cacheDir: fileURLToPath(new URL("../.bench/", import.meta.url)),
};

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");
const abort = new AbortController();
process.once("SIGINT", () => abort.abort());

console.log(
  `Cairn v2 lookup benchmark: ${options.rows.toLocaleString("en-US")} associations, ` +
    `${options.durationSec} s per case, ${options.connections} connections, ` +
    `PostgreSQL ${options.postgresUrl ? "on" : "off (no --postgres or CAIRN_TEST_POSTGRES_URL)"}`,
);
console.log(`Node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? "?"}, load average ${load()}`);
const results = await runBench({ ...options, log: (line) => console.log(`  ${line}`), signal: abort.signal });
console.log(`\n${formatTable(results)}\n`);
console.log(`load average after: ${load()}`);
