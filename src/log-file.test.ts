import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { fixedClock } from "./clock.js";
import { DailyLogFile, localDay, nextLocalMidnight } from "./log-file.js";
import { createLogger } from "./log.js";

// Local midnight is not UTC midnight here: rotation must follow the local day, as Sydent's.
process.env.TZ = "America/New_York";

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), "cairn-log-"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** 2026-12-04 23:59:00 in New York (04:59 UTC on the 5th). */
const LATE = Date.UTC(2026, 11, 5, 4, 59);
const MINUTE = 60_000;
const DAY = 86_400_000;

test("the next local midnight and the local day", () => {
  assert.equal(nextLocalMidnight(LATE), Date.UTC(2026, 11, 5, 5, 0));
  assert.equal(localDay(LATE), "2026-12-04");
  assert.equal(localDay(LATE + MINUTE), "2026-12-05");
});

test("the first line after local midnight moves the file to <path>.YYYY-MM-DD of the day it covers", () => {
  const path = join(dir, "a", "sydent.log");
  const clock = fixedClock(LATE);
  const file = new DailyLogFile(path, clock);
  file.write("before midnight\n");
  clock.advance(2 * MINUTE);
  file.write("after midnight\n");
  clock.advance(DAY);
  file.write("a day later\n");
  file.close();
  assert.deepEqual(readdirSync(join(dir, "a")).sort(), [
    "sydent.log",
    "sydent.log.2026-12-04",
    "sydent.log.2026-12-05",
  ]);
  assert.equal(readFileSync(`${path}.2026-12-04`, "utf8"), "before midnight\n");
  assert.equal(readFileSync(`${path}.2026-12-05`, "utf8"), "after midnight\n");
  assert.equal(readFileSync(path, "utf8"), "a day later\n");
});

test("a file left by an earlier run is rotated by its last-modified day, and appended to otherwise", () => {
  const path = join(dir, "b.log");
  writeFileSync(path, "old run\n");
  utimesSync(path, new Date(LATE - 3 * DAY), new Date(LATE - 3 * DAY));
  const file = new DailyLogFile(path, fixedClock(LATE));
  file.write("new run\n");
  file.close();
  assert.equal(readFileSync(`${path}.2026-12-01`, "utf8"), "old run\n");
  assert.equal(readFileSync(path, "utf8"), "new run\n");

  utimesSync(path, new Date(LATE), new Date(LATE));
  const again = new DailyLogFile(path, fixedClock(LATE + 10_000));
  again.write("same day\n");
  again.close();
  assert.equal(readFileSync(path, "utf8"), "new run\nsame day\n");
});

test("only the newest files are kept", () => {
  const path = join(dir, "c", "x.log");
  const clock = fixedClock(LATE);
  const file = new DailyLogFile(path, clock, 2);
  writeFileSync(join(dir, "c", "x.log.unrelated"), "");
  writeFileSync(join(dir, "c", "other.log.2020-01-01"), "");
  for (let day = 0; day < 4; day++) {
    file.write(`day ${day}\n`);
    clock.advance(DAY);
  }
  file.write("today\n");
  file.close();
  assert.deepEqual(readdirSync(join(dir, "c")).sort(), [
    "other.log.2020-01-01",
    "x.log",
    "x.log.2026-12-06",
    "x.log.2026-12-07",
    "x.log.unrelated",
  ]);
  assert.equal(readFileSync(`${path}.2026-12-07`, "utf8"), "day 3\n");
});

test("createLogger writes JSON lines at the configured level to log.path", () => {
  const path = join(dir, "d.log");
  const log = createLogger({ logPath: path, logLevel: "warn" }, fixedClock(LATE));
  log.info("not written");
  log.warn({ peers: 2 }, "written");
  const lines = readFileSync(path, "utf8").trim().split("\n");
  assert.equal(lines.length, 1);
  const line = JSON.parse(lines[0]!) as Record<string, unknown>;
  assert.equal(line.msg, "written");
  assert.equal(line.peers, 2);
  assert.equal(line.level, 40);
});

test("two processes writing one file: the first to pass midnight rotates it, the other follows", () => {
  const path = join(dir, "e.log");
  const clock = fixedClock(LATE);
  const server = new DailyLogFile(path, clock);
  const command = new DailyLogFile(path, clock);
  server.write("server before\n");
  command.write("command before\n");
  clock.advance(2 * MINUTE);
  command.write("command after\n");
  server.write("server after\n");
  server.close();
  command.close();
  assert.equal(readFileSync(`${path}.2026-12-04`, "utf8"), "server before\ncommand before\n");
  assert.equal(readFileSync(path, "utf8"), "command after\nserver after\n");
});
