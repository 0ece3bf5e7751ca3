#!/usr/bin/env node
// The `cairn` command. With no arguments it serves, as Sydent's entry point does.
import { BIND_USAGE, bindCommand } from "./admin/bind-cli.js";
import { takeOption, UsageError } from "./admin/args.js";
import { IMPORT_USAGE, importSydentCommand } from "./admin/import-sydent-cli.js";
import { INVITES_USAGE, invitesCommand } from "./admin/invites-cli.js";
import { systemClock } from "./clock.js";
import { renderExampleConfig } from "./config/example.js";
import { ConfigError, loadConfig } from "./config/load.js";
import { nodeConfigFs, systemLoadOptions } from "./config/system.js";
import { casefold } from "./crypto/casefold.js";
import { formatSigningKeyLine } from "./config/signing-key-line.js";
import { cryptoRandom } from "./crypto/random.js";
import { generateSeed, signingKeyFromSeed } from "./crypto/signing-key.js";
import { systemResolver } from "./federation/dns.js";
import { runDoctor } from "./federation/doctor.js";
import { startServer, StartupError } from "./main.js";
import { PEERS_USAGE, peersCommand } from "./replication/peers-cli.js";
import { cairnVersion } from "./version.js";

const USAGE = `Usage: cairn [command] [options]

Commands:
  serve [--config PATH]   run the identity server (the default command); the config file is PATH,
                          else $SYDENT_CONF, else ./sydent.conf (written on first start)
  generate-config         print a commented example configuration with every key
  generate-key            print a new signing key line for [crypto] ed25519.signingkey
  peers add|list|remove   manage replication peers ("cairn peers help" for details)
  doctor SERVER [--config PATH]
                          check step by step how Cairn reaches the homeserver SERVER (e.g.
                          example.org) with the config's TLS and IP deny-list settings; exit
                          code 0 when it is reachable
  invites list|revoke     third-party invitations ("cairn invites help" for details)
  bind|unbind MEDIUM ADDRESS MXID [--config PATH]
                          bind a 3PID to a Matrix ID by hand, or remove that binding, without a
                          running server ("cairn bind help" for details)
  import-sydent --from PATH --to URL
                          copy a sydent.db into an empty PostgreSQL database, resumable and
                          verified ("cairn import-sydent help" for details)
  --version               print Cairn's version
  help                    print this text
`;

async function serve(args: string[]): Promise<void> {
  const configPath = takeOption(args, "--config");
  if (args.length > 0) throw new UsageError(`unexpected argument: ${args[0]}`);
  const server = await startServer({ configPath });
  const stop = (signal: string) => {
    server.deps.log.info({ signal }, "stopping");
    server.close().then(
      () => process.exit(0),
      (err: unknown) => {
        server.deps.log.error({ err }, "error while stopping");
        process.exit(1);
      },
    );
  };
  process.once("SIGTERM", () => stop("SIGTERM"));
  process.once("SIGINT", () => stop("SIGINT"));
  // Node would end the process on SIGHUP; Cairn reloads its client certificate instead.
  process.on("SIGHUP", () => server.reload());
}

async function doctor(args: string[]): Promise<void> {
  const configPath = takeOption(args, "--config");
  const [serverName, ...rest] = args;
  if (serverName === undefined)
    throw new UsageError("doctor needs a server name, e.g. cairn doctor example.org");
  if (rest.length > 0) throw new UsageError(`unexpected argument: ${rest[0]}`);
  // Read the config as the server would, but never write it (no first-run file, no new key).
  const { config } = await loadConfig({
    ...systemLoadOptions(),
    fs: { ...nodeConfigFs, writeText: () => undefined },
    path: configPath,
    casefold,
  });
  process.stdout.write(`Config: ${config.path}\n`);
  const reachable = await runDoctor(serverName, {
    resolver: systemResolver(cryptoRandom),
    blacklist: config.general.ipBlacklist,
    whitelist: config.general.ipWhitelist,
    verifyCerts: config.http.federationVerifyCerts,
    clock: systemClock,
    random: cryptoRandom,
    write: (line) => process.stdout.write(`${line}\n`),
  });
  process.exitCode = reachable ? 0 : 1;
}

async function main(argv: string[]): Promise<void> {
  const [command = "serve", ...args] = argv;
  switch (command) {
    case "serve":
      return serve(args);
    case "doctor":
      return doctor(args);
    case "generate-config":
      process.stdout.write(renderExampleConfig(process.env));
      return;
    case "generate-key": {
      const seed = generateSeed(cryptoRandom);
      const key = signingKeyFromSeed(seed, "0");
      process.stdout.write(`${formatSigningKeyLine({ version: "0", seed })}\n`);
      process.stdout.write(`# public key (${key.keyId}): ${key.publicKeyBase64}\n`);
      return;
    }
    case "peers":
      if (args[0] === "help" || args[0] === "--help") {
        process.stdout.write(PEERS_USAGE);
        return;
      }
      process.exitCode = await peersCommand(args, {
        out: (text) => process.stdout.write(text),
        err: (text) => process.stderr.write(text),
      });
      return;
    case "invites":
      if (args[0] === "help" || args[0] === "--help") {
        process.stdout.write(INVITES_USAGE);
        return;
      }
      process.exitCode = await invitesCommand(args, {
        out: (text) => process.stdout.write(text),
        err: (text) => process.stderr.write(text),
      });
      return;
    case "bind":
    case "unbind":
      if (args[0] === "help" || args[0] === "--help") {
        process.stdout.write(BIND_USAGE);
        return;
      }
      process.exitCode = await bindCommand(command, args, {
        out: (text) => process.stdout.write(text),
        err: (text) => process.stderr.write(text),
      });
      return;
    case "import-sydent":
      if (args[0] === "help" || args[0] === "--help") {
        process.stdout.write(IMPORT_USAGE);
        return;
      }
      process.exitCode = await importSydentCommand(
        args,
        { out: (text) => process.stdout.write(text), err: (text) => process.stderr.write(text) },
        { clock: systemClock, random: cryptoRandom },
      );
      return;
    case "--version":
    case "version":
      process.stdout.write(`cairn ${cairnVersion()}\n`);
      return;
    case "help":
    case "--help":
    case "-h":
      process.stdout.write(USAGE);
      return;
    default:
      if (command.startsWith("--")) return serve(argv);
      throw new UsageError(`unknown command: ${command}`);
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof UsageError) {
    process.stderr.write(`cairn: ${err.message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (err instanceof ConfigError || err instanceof StartupError) {
    process.stderr.write(`cairn: ${err.message}\n`);
    process.exit(1);
  }
  process.stderr.write(
    `cairn: unexpected failure: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});
