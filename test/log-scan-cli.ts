// `node --import tsx test/log-scan-cli.ts DIR`: scans a test run's logs (see log-scan.ts); exit 1
// with one line per finding when any secret is found.
import { readdirSync } from "node:fs";
import { scanLogDir } from "./log-scan.js";

const dir = process.argv[2];
if (!dir) throw new Error("usage: log-scan-cli.ts DIR");
const files = readdirSync(dir).filter((n) => n.endsWith(".log")).length;
const findings = scanLogDir(dir);
// The first findings are enough to find the call site; a leak in a common path repeats thousands of times.
for (const f of findings.slice(0, 50)) console.error(`${f.file}:${f.line}: ${f.kind}: ${f.masked}`);
console.log(
  findings.length === 0
    ? `log scan: no secret in ${files} log files`
    : `log scan: FAILED, ${findings.length} lines with secrets in ${files} log files`,
);
process.exit(findings.length === 0 ? 0 : 1);
