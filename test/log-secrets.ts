// Where a test process's logs go during `node scripts/test.mjs`, and the secrets it used. The runner
// gives every test process the directory $CAIRN_TEST_LOG_DIR; after the run, test/log-scan.ts
// looks for each registered secret, and for anything shaped like an address or a token, in every
// log file there. Outside the runner (no variable) logs are dropped and nothing is registered.
import { appendFileSync } from "node:fs";
import { basename, join } from "node:path";
import pino, { type Logger } from "pino";
import { loggerOptions } from "../src/log.js";

export const SECRETS_FILE = "secrets";

const dir = process.env.CAIRN_TEST_LOG_DIR;

/** This process's name in file names: its test file and pid. */
function processName(): string {
  const file = process.argv.find((a) => a.endsWith(".test.ts"));
  return `${file ? basename(file, ".test.ts") : "process"}-${process.pid}`;
}

/** A path in the log directory for `what` (one per test process and purpose), or null. */
export function testLogPath(what: string): string | null {
  return dir ? join(dir, `${processName()}.${what}.log`) : null;
}

let shared: Logger | null = null;

/** The logger of test deps: everything down to trace into this process's log file; else silent. */
export function testLogger(): Logger {
  if (shared) return shared;
  const path = testLogPath("deps");
  shared = path
    ? pino(loggerOptions("trace"), pino.destination({ dest: path, sync: true, append: true }))
    : pino({ level: "silent" });
  return shared;
}

/** Records values that must never appear in a log line (one per line of the secrets file). */
export function registerSecrets(...values: (string | undefined)[]): void {
  if (!dir) return;
  const lines = values.filter((v): v is string => v !== undefined && v !== "" && !v.includes("\n"));
  if (lines.length > 0) appendFileSync(join(dir, SECRETS_FILE), lines.map((v) => `${v}\n`).join(""));
}
