// A pino logger that keeps its records in memory, for tests that check what an operator is told. It
// is built with the process logger's options, so redaction and request ids are what production has.
import { Writable } from "node:stream";
import pino, { type Logger } from "pino";
import { loggerOptions } from "../src/log.js";
import type { ErrorReporter } from "../src/sentry.js";

export interface CapturedLog {
  log: Logger;
  /** Every record written so far, parsed. */
  records(): Record<string, unknown>[];
  /** Every line written so far, as written. */
  text(): string;
}

/** `reporter` receives error-level lines with an error, as Sentry does in the server. */
export function captureLog(reporter?: ErrorReporter): CapturedLog {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const log = pino(loggerOptions("debug", reporter), sink);
  return {
    log,
    text: () => lines.join(""),
    records: () =>
      lines
        .join("")
        .split("\n")
        .filter((l) => l !== "")
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}
