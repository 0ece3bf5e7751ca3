// Periodic jobs that run once per period across every process sharing the database: before each
// run a process must take the job's lease for one period, so with several instances (or after a
// restart, when the lease outlives the process) the job still runs at most once per period.
import { randomBytes } from "node:crypto";
import type { Logger } from "pino";
import type { Clock } from "../clock.js";
import type { LeaseStore } from "../store/store.js";

export interface PeriodicJob {
  name: string;
  periodMs: number;
  run(): Promise<void>;
}

export interface PeriodicRunner {
  /** Stops the timers and waits for runs in progress. */
  stop(): Promise<void>;
}

/** This process's identity as a lease holder. */
export const processHolder = `${process.pid}-${randomBytes(6).toString("hex")}`;

export function startPeriodic(
  jobs: readonly PeriodicJob[],
  deps: { leases: LeaseStore; clock: Clock; log: Logger; holder?: string },
): PeriodicRunner {
  const holder = deps.holder ?? processHolder;
  const timers: NodeJS.Timeout[] = [];
  const running = new Set<Promise<void>>();
  let stopped = false;
  let attempts = 0;

  const attempt = (job: PeriodicJob) => {
    if (stopped) return;
    const run = (async () => {
      try {
        // A fresh holder name per attempt: a lease is never "renewed" by its own process, so the
        // job runs again only once the previous run's lease has expired.
        const attemptHolder = `${holder}/${++attempts}`;
        if (!(await deps.leases.tryAcquire(job.name, attemptHolder, deps.clock.now(), job.periodMs))) return;
        await job.run();
      } catch (err) {
        deps.log.error({ err, job: job.name }, "periodic job failed");
      }
    })();
    running.add(run);
    void run.finally(() => running.delete(run));
  };

  for (const job of jobs) {
    attempt(job);
    // Checking more often than the period lets another process take over soon after one stops.
    const timer = setInterval(() => attempt(job), Math.max(1000, Math.floor(job.periodMs / 4)));
    timer.unref();
    timers.push(timer);
  }
  return {
    async stop() {
      stopped = true;
      timers.forEach(clearInterval);
      await Promise.all(running);
    },
  };
}
