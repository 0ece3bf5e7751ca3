// Runs the real `cairn` command (src/cli.ts through tsx) as a child process, for tests of start-up,
// signals and restarts. The client URL is read from the "Cairn is serving" log line. Its log lines
// are kept in the test run's log directory, which is scanned for secrets.
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { testLogPath } from "./log-secrets.js";

// The tsx loader by URL: the child's working directory is a temporary folder without node_modules.
const tsx = import.meta.resolve("tsx");
const cli = fileURLToPath(new URL("../src/cli.ts", import.meta.url));

// A test file cut off by its timeout ends (by exit or SIGTERM) without stopping its servers: take
// them along, or they keep their ports (8090) and fail the next run.
const running = new Set<ChildProcess>();
const reapAll = () => {
  for (const child of running) child.kill("SIGKILL");
};
process.once("exit", reapAll);
process.once("SIGTERM", () => {
  reapAll();
  process.exit(143);
});

export interface CairnProcess {
  child: ChildProcess;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
}

export function runCairn(
  args: string[],
  options: { cwd: string; env?: Record<string, string> },
): CairnProcess {
  const child = spawn(process.execPath, ["--import", tsx, cli, ...args], {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let log = "";
  child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr?.on("data", (d: Buffer) => {
    out += d.toString();
    log += d.toString();
  });
  // The log is the pino records on stderr; a command's output and its messages to the operator
  // (who typed the address they name) are not.
  child.on("close", () => {
    const path = testLogPath(`cairn-${child.pid}`);
    const records = log.split("\n").filter((line) => line.startsWith('{"level":'));
    if (path) writeFileSync(path, records.map((line) => `${line}\n`).join(""));
  });
  const exited = once(child, "exit").then(([code]) => code as number | null);
  running.add(child);
  void exited.then(() => running.delete(child));
  return { child, output: () => out, exited };
}

/** Starts `cairn serve` and waits until it listens; returns its client URL (http or https) on 127.0.0.1. */
export async function serveCairn(
  args: string[],
  options: { cwd: string; env?: Record<string, string>; timeoutMs?: number },
): Promise<CairnProcess & { url: string; stop(signal?: NodeJS.Signals): Promise<number | null> }> {
  const proc = runCairn(["serve", ...args], options);
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    const line = proc
      .output()
      .split("\n")
      .find((l) => l.includes('"Cairn is serving"'));
    if (line) {
      const { url } = JSON.parse(line) as { url: string };
      const port = new URL(url).port;
      return {
        ...proc,
        url: `${new URL(url).protocol}//127.0.0.1:${port}`,
        stop: async (signal = "SIGTERM") => {
          proc.child.kill(signal);
          return proc.exited;
        },
      };
    }
    if (proc.child.exitCode !== null || Date.now() > deadline) {
      proc.child.kill("SIGKILL");
      throw new Error(`cairn did not start:\n${proc.output()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A TCP port that was free a moment ago on 127.0.0.1 and ::. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "::");
  await once(server, "listening");
  const address = server.address();
  server.close();
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}
