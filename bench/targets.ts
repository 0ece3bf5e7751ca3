// Starting and stopping the benchmark targets (bench/server.ts in child processes), and the config
// file a Cairn target reads.
import { fork, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { BENCH_SERVER_NAME } from "./dataset.js";

const server = fileURLToPath(new URL("./server.ts", import.meta.url));
const repo = fileURLToPath(new URL("..", import.meta.url));
/** The tsx loader by URL, whatever the child's working directory. */
const tsx = import.meta.resolve("tsx");
const STARTUP_TIMEOUT_MS = 60_000;

export interface Target {
  name: string;
  url: string;
  stop(): Promise<void>;
}

/** Where a Cairn target keeps its bindings: a SQLite file or a PostgreSQL URL. */
export type Database = { sqlite: string } | { postgres: string };

/**
 * A sydent.conf for a Cairn target: a fixed key, the database, and a log file in `dir` at the
 * default level (one line per request, as in production).
 */
export function writeCairnConfig(dir: string, name: string, database: Database): string {
  const path = join(dir, `${name}.conf`);
  // The INI reader interpolates `%`, which URLs use for percent-encoding.
  const db =
    "sqlite" in database
      ? `[db]\ndb.file = ${database.sqlite}\n`
      : `[postgres]\nurl = ${database.postgres.replaceAll("%", "%%")}\n`;
  const seed = Buffer.alloc(32, 1).toString("base64").replace(/=+$/, "");
  writeFileSync(
    path,
    `[general]\nserver.name = ${BENCH_SERVER_NAME}\nlog.path = ${join(dir, `${name}.log`)}\n` +
      `[crypto]\ned25519.signingkey = ed25519 0 ${seed}\n${db}`,
  );
  return path;
}

/** Forks bench/server.ts with `args` and waits for the port it listens on. */
export async function startTarget(name: string, args: string[]): Promise<Target> {
  const child: ChildProcess = fork(server, args, {
    cwd: repo,
    execArgv: ["--import", tsx],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const exited = once(child, "exit");
  const timer = setTimeout(() => child.kill("SIGKILL"), STARTUP_TIMEOUT_MS);
  try {
    const ready = once(child, "message") as Promise<[{ port: number }]>;
    const first = await Promise.race([ready, exited.then(() => null)]);
    if (first === null) throw new Error(`the ${name} target exited before listening`);
    const [{ port }] = first;
    return {
      name,
      url: `http://127.0.0.1:${port}`,
      stop: async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
        await exited;
      },
    };
  } finally {
    clearTimeout(timer);
  }
}
