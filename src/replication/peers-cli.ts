// `cairn peers add|list|remove`: the replication peers of the database sydent.conf names (SQLite or
// PostgreSQL), so operators no longer write SQL into `peers` and `peer_pubkeys` by hand.
import { formatTable } from "../admin/table.js";
import { loadToolConfig } from "../admin/tool-config.js";
import type { Config } from "../config/types.js";
import { openStore } from "../store/open.js";
import type { Peer, Store } from "../store/store.js";
import { decodePeerKey, normalisePeerKey, PEER_KEY_ALGORITHM } from "./peer-key.js";
import { peerPushUrl } from "./protocol.js";

export const PEERS_USAGE = `Usage: cairn peers <command> [--config PATH]

  add NAME --key KEY [--port N] [--inactive]
                  register the peer NAME (its server.name and certificate CN) with its ed25519
                  public key (base64 or hex, as GET /_matrix/identity/v2/pubkey/ed25519:0 on the
                  peer gives it); --port is its replication port (default 1001, Sydent's)
  list            every peer: port, active, last row it accepted, how far behind, last success
  remove NAME     forget the peer and its keys
`;

export interface PeersIo {
  out(text: string): void;
  err(text: string): void;
}

class PeersFailure extends Error {
  constructor(
    message: string,
    readonly usage = false,
  ) {
    super(message);
  }
}

function take(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i === -1) return undefined;
  const value = args[i + 1];
  if (value === undefined) throw new PeersFailure(`${name} needs a value`, true);
  args.splice(i, 2);
  return value;
}

function flag(args: string[], name: string): boolean {
  const i = args.indexOf(name);
  if (i !== -1) args.splice(i, 1);
  return i !== -1;
}

function onlyName(args: string[]): string {
  const [name, ...rest] = args;
  if (name === undefined || name.startsWith("-")) throw new PeersFailure("a peer NAME is needed", true);
  if (rest.length > 0) throw new PeersFailure(`unexpected argument: ${rest[0]}`, true);
  return name;
}

function keyState(peer: Peer): string {
  const key = peer.publicKeys[PEER_KEY_ALGORITHM];
  if (key === undefined) return "missing";
  try {
    return decodePeerKey(key).hex ? "ok (hex)" : "ok";
  } catch {
    return "invalid";
  }
}

async function list(store: Store, io: PeersIo): Promise<void> {
  const peers = await store.peers.list();
  if (peers.length === 0) return io.out("no replication peers\n");
  const rows = [["name", "port", "active", "key", "lastSentVersion", "behind", "lastPokeSucceededAt"]];
  for (const peer of peers) {
    rows.push([
      peer.name,
      peer.port ? String(peer.port) : "(1001)",
      peer.active ? "yes" : "no",
      keyState(peer),
      peer.lastSentVersion === null ? "-" : String(peer.lastSentVersion),
      String(await store.associations.countLocalAfter(peer.lastSentVersion)),
      peer.lastPokeSucceededAt === null ? "never" : new Date(peer.lastPokeSucceededAt).toISOString(),
    ]);
  }
  io.out(formatTable(rows));
}

async function add(store: Store, config: Pick<Config, "http">, args: string[], io: PeersIo): Promise<void> {
  const keyText = take(args, "--key");
  const portText = take(args, "--port");
  const active = !flag(args, "--inactive");
  const name = onlyName(args);
  if (keyText === undefined) throw new PeersFailure("--key is needed", true);
  let key: string;
  try {
    key = normalisePeerKey(keyText);
  } catch (err) {
    throw new PeersFailure(`--key: ${err instanceof Error ? err.message : String(err)}`);
  }
  const port = portText === undefined ? null : Number(portText);
  if (port !== null && !(Number.isInteger(port) && port >= 1 && port <= 65535)) {
    throw new PeersFailure(`--port must be a port number (1-65535), got ${portText}`);
  }
  if ((await store.peers.list()).some((p) => p.name === name)) {
    throw new PeersFailure(`there is already a peer named ${name} (remove it first to change it)`);
  }
  await store.peers.add({ name, port, active, publicKeys: { [PEER_KEY_ALGORITHM]: key } });
  const url = peerPushUrl({ name, port }, config.http.baseReplicationUrls);
  io.out(`added peer ${name}${active ? "" : " (inactive)"}: pushes go to ${url}\n`);
}

/** Runs a subcommand on an open store. Throws PeersFailure for the operator's mistakes. */
export async function runPeers(
  deps: { store: Store; config: Pick<Config, "http"> },
  args: string[],
  io: PeersIo,
): Promise<void> {
  const [command, ...rest] = args;
  switch (command) {
    case "list":
      if (rest.length > 0) throw new PeersFailure(`unexpected argument: ${rest[0]}`, true);
      return list(deps.store, io);
    case "add":
      return add(deps.store, deps.config, rest, io);
    case "remove": {
      const name = onlyName(rest);
      if (!(await deps.store.peers.remove(name))) throw new PeersFailure(`there is no peer named ${name}`);
      return io.out(`removed peer ${name}\n`);
    }
    default:
      throw new PeersFailure(
        command === undefined ? "a command is needed" : `unknown command: ${command}`,
        true,
      );
  }
}

/**
 * `cairn peers ...`: reads the config (never writing it: a file without a signing key stays as it
 * is) and its database, runs the subcommand; returns the exit status (2 for usage mistakes).
 */
export async function peersCommand(argv: string[], io: PeersIo): Promise<number> {
  const args = [...argv];
  try {
    const configPath = take(args, "--config");
    const { file, loaded } = await loadToolConfig(configPath);
    if (loaded === null) throw new PeersFailure(`no config file at ${file}`);
    const { config } = loaded;
    const store = await openStore(config);
    try {
      await runPeers({ store, config }, args, io);
    } finally {
      await store.close();
    }
    return 0;
  } catch (err) {
    if (!(err instanceof PeersFailure)) throw err;
    io.err(`cairn peers: ${err.message}\n${err.usage ? `\n${PEERS_USAGE}` : ""}`);
    return err.usage ? 2 : 1;
  }
}
