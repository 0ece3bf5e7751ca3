// Deletes third-party invitations past `[invites] expiry_days`, with their ephemeral keys, once an
// hour across all instances (jobs/periodic.ts). Until then expired ones are already refused.
import type { Logger } from "pino";
import type { Clock } from "../clock.js";
import type { Config } from "../config/types.js";
import { inviteValidity } from "../domain/invites.js";
import type { InviteStore } from "../store/store.js";
import type { PeriodicJob } from "./periodic.js";

export const INVITE_EXPIRY_PERIOD_MS = 60 * 60 * 1000;

export function inviteExpiryJob(deps: {
  config: Pick<Config, "invites">;
  store: { invites: InviteStore };
  clock: Clock;
  log: Logger;
}): PeriodicJob {
  return {
    name: "invite-expiry",
    periodMs: INVITE_EXPIRY_PERIOD_MS,
    async run() {
      const deleted = await deps.store.invites.deleteExpired(inviteValidity(deps.config, deps.clock));
      if (deleted.invites > 0 || deleted.keys > 0) deps.log.info(deleted, "deleted expired invitations");
    },
  };
}
