// The log file of `log.path`, rotated as Sydent's (Python's TimedRotatingFileHandler, when=midnight):
// the first line written after local midnight renames the file to `<path>.YYYY-MM-DD`, the day it
// covers, and starts a new one; only the newest KEPT_FILES old files are kept. A file left by an
// earlier run is rotated by its last-modified day, as Python does. Writes are synchronous, so a
// crash loses no line and rotation never races a pending write.
import {
  closeSync,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";
import type { Clock } from "./clock.js";

/** Sydent's backupCount: a year of daily files. */
export const KEPT_FILES = 365;

/** The first local midnight strictly after `ms`. */
export function nextLocalMidnight(ms: number): number {
  const d = new Date(ms);
  return new Date(d.getFullYear(), d.getMonth(), d.getDate() + 1).getTime();
}

/** `YYYY-MM-DD` of `ms` in local time. */
export function localDay(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}`;
}

const ROTATED = /^\.\d{4}-\d{2}-\d{2}$/;

export class DailyLogFile {
  private fd: number;
  private rolloverAt: number;

  constructor(
    private readonly path: string,
    private readonly clock: Clock,
    private readonly keep = KEPT_FILES,
  ) {
    mkdirSync(dirname(path), { recursive: true });
    let since = clock.now();
    try {
      since = statSync(path).mtimeMs;
    } catch {
      // No file yet: the current day starts now.
    }
    this.rolloverAt = nextLocalMidnight(since);
    this.fd = openSync(path, "a");
  }

  /** pino's destination interface: one serialised record. */
  write(line: string): void {
    const now = this.clock.now();
    if (now >= this.rolloverAt) this.rotate(now);
    writeSync(this.fd, line);
  }

  close(): void {
    closeSync(this.fd);
  }

  private rotate(now: number): void {
    const ours = fstatSync(this.fd).ino;
    closeSync(this.fd);
    // The day that just ended (the day before the midnight passed), as Python names it.
    const covered = localDay(this.rolloverAt - 1);
    // Only our own file is moved: another process writing the same path (an admin command next to
    // the server) may have rotated it already, and its new file must not replace the day's.
    try {
      if (statSync(this.path).ino === ours) renameSync(this.path, `${this.path}.${covered}`);
    } catch {
      // The file was moved away (an outside logrotate, say): start a new one all the same.
    }
    this.fd = openSync(this.path, "a");
    this.rolloverAt = nextLocalMidnight(now);
    this.prune();
  }

  private prune(): void {
    const dir = dirname(this.path);
    const base = basename(this.path);
    const old = readdirSync(dir)
      .filter((name) => name.startsWith(base) && ROTATED.test(name.slice(base.length)))
      .sort();
    for (const name of old.slice(0, Math.max(0, old.length - this.keep))) rmSync(join(dir, name));
  }
}
