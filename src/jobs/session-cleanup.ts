// Deletes validation sessions untouched for five days (and their tokens and next links), every
// ten minutes as Sydent does; run through jobs/periodic.ts, so once per period across instances.
import type { Clock } from "../clock.js";
import { SESSION_RETENTION_MS } from "../domain/sessions.js";
import type { Logger } from "pino";
import type { SessionStore } from "../store/store.js";
import type { PeriodicJob } from "./periodic.js";

export const SESSION_CLEANUP_PERIOD_MS = 10 * 60 * 1000;

export function sessionCleanupJob(deps: {
  store: { sessions: SessionStore };
  clock: Clock;
  log: Logger;
}): PeriodicJob {
  return {
    name: "session-cleanup",
    periodMs: SESSION_CLEANUP_PERIOD_MS,
    async run() {
      const deleted = await deps.store.sessions.deleteOlderThan(deps.clock.now() - SESSION_RETENTION_MS);
      if (deleted > 0) deps.log.info({ deleted }, "deleted expired validation sessions");
    },
  };
}
