// A pino logger that keeps its records in memory, for tests that check what an operator is told.
import { Writable } from "node:stream";
import pino, { type Logger } from "pino";

export interface CapturedLog {
  log: Logger;
  /** Every record written so far, parsed. */
  records(): Record<string, unknown>[];
}

export function captureLog(): CapturedLog {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const log = pino({ level: "debug" }, sink);
  return {
    log,
    records: () =>
      lines
        .join("")
        .split("\n")
        .filter((l) => l !== "")
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}
