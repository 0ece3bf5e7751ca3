// `cairn invites list|revoke`: third-party invitations in the database sydent.conf names (SQLite
// or PostgreSQL), for operators who need to see what is pending or withdraw an invitation.
import { formatTable } from "./table.js";
import { takeOption, UsageError } from "./args.js";
import { loadToolConfig } from "./tool-config.js";
import { systemClock, type Clock } from "../clock.js";
import type { Config } from "../config/types.js";
import {
  listInvites,
  MIN_REVOKE_PREFIX,
  RevokeError,
  revokeInvite,
  type InviteSummary,
} from "../domain/invites-admin.js";
import { openStore } from "../store/open.js";
import type { Store } from "../store/store.js";

export const INVITES_USAGE = `Usage: cairn invites <command> [--config PATH]

  list [--address ADDRESS] [--room ROOM_ID]
                  every third-party invitation (or those to one address or in one room): the
                  first letters of its token, the address as the room shows it, room, sender,
                  when it was received and expires, and whether it is pending, delivered or expired
  revoke TOKEN    delete the invitation whose token is TOKEN or starts with TOKEN (at least
                  ${MIN_REVOKE_PREFIX} letters, as list shows them): its email link and ephemeral key stop working
`;

export interface InvitesIo {
  out(text: string): void;
  err(text: string): void;
}

class Failure extends Error {}

const time = (ms: number | null): string =>
  ms === null ? "-" : new Date(ms).toISOString().slice(0, 19) + "Z";

function formatList(invites: InviteSummary[]): string {
  if (invites.length === 0) return "no invitations\n";
  const head = ["token", "address", "room", "sender", "received", "expires", "state"];
  return formatTable([
    head,
    ...invites.map((i) => [
      `${i.tokenPrefix}…`,
      i.address,
      i.roomId,
      i.sender,
      time(i.receivedAt),
      time(i.expiresAt),
      i.state,
    ]),
  ]);
}

/** Runs a subcommand on an open store. Throws UsageError or RevokeError for the operator's mistakes. */
export async function runInvites(
  deps: { store: Store; config: Pick<Config, "email" | "invites">; clock: Clock },
  args: string[],
  io: InvitesIo,
): Promise<void> {
  const [command, ...rest] = args;
  switch (command) {
    case "list": {
      const address = takeOption(rest, "--address");
      const roomId = takeOption(rest, "--room");
      if (rest.length > 0) throw new UsageError(`unexpected argument: ${rest[0]}`);
      return io.out(formatList(await listInvites(deps, { address, roomId })));
    }
    case "revoke": {
      const [token, ...extra] = rest;
      if (token === undefined || token.startsWith("-")) throw new UsageError("a TOKEN is needed");
      if (extra.length > 0) throw new UsageError(`unexpected argument: ${extra[0]}`);
      const { summary, keyKept } = await revokeInvite(deps, token);
      io.out(`revoked the invitation ${summary.tokenPrefix}… to ${summary.address} in ${summary.roomId}\n`);
      if (keyKept) {
        io.out(
          `its ephemeral key was stored by Sydent, not linked to it, and stays valid until ${time(summary.expiresAt)}\n`,
        );
      }
      return;
    }
    default:
      throw new UsageError(command === undefined ? "a command is needed" : `unknown command: ${command}`);
  }
}

/**
 * `cairn invites ...`: reads the config (never writing it) and its database, runs the subcommand;
 * returns the exit status (2 for usage mistakes, 1 for a failed revoke).
 */
export async function invitesCommand(argv: string[], io: InvitesIo): Promise<number> {
  const args = [...argv];
  try {
    const configPath = takeOption(args, "--config");
    const { file, loaded } = await loadToolConfig(configPath);
    if (loaded === null) throw new Failure(`no config file at ${file}`);
    const { config } = loaded;
    const store = await openStore(config);
    try {
      await runInvites({ store, config, clock: systemClock }, args, io);
    } finally {
      await store.close();
    }
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`cairn invites: ${err.message}\n\n${INVITES_USAGE}`);
      return 2;
    }
    if (err instanceof RevokeError || err instanceof Failure) {
      io.err(`cairn invites: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}
