// `cairn bind` / `cairn unbind` (Sydent's `sydent-bind` script): bind or unbind a 3PID by hand in
// the database sydent.conf names, with no proof and no running server needed. The change is made
// as the internal API makes it; a running server pushes it to its peers on its next push.
import { createLogger } from "../log.js";
import { systemClock } from "../clock.js";
import { cryptoRandom } from "../crypto/random.js";
import { signingKeyFromSeed } from "../crypto/signing-key.js";
import { bind, unbind, type Binding, type BindingDeps } from "../domain/bindings.js";
import { loadOrCreatePepper } from "../domain/pepper.js";
import { noOnbindKick } from "../jobs/onbind-delivery.js";
import { noReplication } from "../replication/service.js";
import { openStore } from "../store/open.js";
import { loadToolConfig } from "./tool-config.js";

export const BIND_USAGE = `Usage: cairn bind|unbind MEDIUM ADDRESS MXID [--config PATH]

  bind MEDIUM ADDRESS MXID
                  bind the 3PID (MEDIUM email or msisdn; an email address is case-folded) to
                  the Matrix ID MXID, replacing any binding it had; prints the signed association
  unbind MEDIUM ADDRESS MXID
                  remove the binding of the 3PID to MXID, if there is one
`;

const MEDIA = ["email", "msisdn"];

export interface BindIo {
  out(text: string): void;
  err(text: string): void;
}

class UsageError extends Error {}
class Failure extends Error {}

function bindingOf(args: string[]): Binding {
  const [medium, address, mxid, ...rest] = args;
  if (medium === undefined || address === undefined || mxid === undefined) {
    throw new UsageError("MEDIUM, ADDRESS and MXID are needed");
  }
  if (rest.length > 0) throw new UsageError(`unexpected argument: ${rest[0]}`);
  if (!MEDIA.includes(medium)) throw new UsageError(`MEDIUM must be email or msisdn, got ${medium}`);
  return { medium, address, mxid };
}

/** Runs `bind` or `unbind` with its arguments on the deps of an open store. */
export async function runBind(
  deps: BindingDeps,
  command: "bind" | "unbind",
  args: string[],
  io: BindIo,
): Promise<void> {
  const binding = bindingOf(args);
  if (command === "bind") {
    io.out(`${JSON.stringify(await bind(deps, binding), null, 2)}\n`);
    return;
  }
  const what = `${binding.medium} ${binding.address} from ${binding.mxid}`;
  io.out((await unbind(deps, binding)) ? `unbound ${what}\n` : `nothing to unbind: ${what} was not bound\n`);
}

/**
 * `cairn bind|unbind ...`: reads the config (never writing it) and opens its database; returns the
 * exit status (2 for usage mistakes, 1 when the config cannot be used).
 */
export async function bindCommand(command: "bind" | "unbind", argv: string[], io: BindIo): Promise<number> {
  const args = [...argv];
  try {
    const at = args.indexOf("--config");
    const configPath = at === -1 ? undefined : args.splice(at, 2)[1];
    if (at !== -1 && configPath === undefined) throw new UsageError("--config needs a value");
    bindingOf(args);
    const { file, loaded } = await loadToolConfig(configPath);
    if (loaded === null) throw new Failure(`no config file at ${file}`);
    // A key made up now would sign with a key nobody knows: the server must have written it first.
    if (loaded.written === "key-generated") {
      throw new Failure(`${file} has no signing key yet: start the server once first`);
    }
    const { config } = loaded;
    const store = await openStore(config);
    try {
      const deps: BindingDeps = {
        config,
        store,
        serverKey: signingKeyFromSeed(config.crypto.signingKey.seed, config.crypto.signingKey.version),
        clock: systemClock,
        log: createLogger(config.general),
        pepper: await loadOrCreatePepper(store.hashing, cryptoRandom),
        replication: noReplication,
        // A running server's queue poll sends the homeserver notification.
        onbind: noOnbindKick,
      };
      await runBind(deps, command, args, io);
    } finally {
      await store.close();
    }
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`cairn ${command}: ${err.message}\n\n${BIND_USAGE}`);
      return 2;
    }
    if (err instanceof Failure) {
      io.err(`cairn ${command}: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}
