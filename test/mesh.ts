// A replication mesh of real Cairn servers in this process (main.ts's startServer): each with its own
// config file, database (SQLite file or PostgreSQL schema), server name, certificate from a test CA
// and listeners on loopback; `*.cairn.test` names are pointed at 127.0.0.1.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ASSOCIATION_LIFETIME_MS } from "../src/domain/signed-association.js";
import { lookupHash } from "../src/crypto/lookup-hash.js";
import { startServer, type RunningServer } from "../src/main.js";
import { localPush } from "../src/replication/local-push.js";
import type { GlobalAssociation } from "../src/store/store.js";
import { iniText, type Engine } from "./deps.js";
import { testLogPath } from "./log-secrets.js";
import { createTestSchema, type TestSchema } from "./postgres.js";
import { freePort } from "./process.js";
import { replicationPem } from "./replication.js";
import type { TestCa } from "./tls.js";

export interface MeshNode {
  name: string;
  replicationPort: number;
  server: RunningServer;
  /** Stops the server (as SIGTERM does); `start` brings it back on the same database and ports. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** What a bind does: the local row, the local push, a poke. Returns the local id. */
  bind(address: string, mxid: string): Promise<number>;
  /** What an unbind does: a tombstone, the local push, a poke. */
  unbind(address: string, mxid: string): Promise<void>;
  lookup(address: string): Promise<GlobalAssociation | undefined>;
}

export interface Mesh {
  nodes: MeshNode[];
  /** Registers every node in every other node's peers table. */
  connectAll(): Promise<void>;
  close(): Promise<void>;
}

const email = (address: string) => ({ medium: "email", address });

export async function startMesh(
  names: string[],
  options: { ca: TestCa; engine: Engine; replication?: Record<string, number> },
): Promise<Mesh> {
  const dir = mkdtempSync(join(tmpdir(), "cairn-mesh-"));
  writeFileSync(join(dir, "ca.pem"), options.ca.cert);
  const schemas: TestSchema[] = [];
  const nodes: MeshNode[] = [];
  for (const name of names) {
    const certfile = join(dir, `${name}.pem`);
    writeFileSync(certfile, replicationPem(options.ca, name));
    const replicationPort = await freePort();
    const schema = options.engine === "postgres" ? await createTestSchema() : null;
    if (schema) schemas.push(schema);
    const configPath = join(dir, `${name}.conf`);
    writeFileSync(
      configPath,
      iniText({
        general: {
          "server.name": name,
          // Into the test run's log directory when there is one, to be scanned for secrets.
          "log.path": testLogPath(`mesh-${name}`) ?? join(dir, `${name}.log`),
          "log.level": "DEBUG",
          "pidfile.path": "",
        },
        db: { "db.file": join(dir, `${name}.db`) },
        ...(schema ? { postgres: { url: schema.url.replaceAll("%", "%%") } } : {}),
        http: {
          "clientapi.http.bind_address": "127.0.0.1",
          "clientapi.http.port": 0,
          "replication.https.certfile": certfile,
          "replication.https.cacert": join(dir, "ca.pem"),
          "replication.https.bind_address": "127.0.0.1",
          "replication.https.port": replicationPort,
        },
        replication: { push_interval_ms: 200, max_backoff_ms: 400, ...options.replication },
      }),
    );
    const launch = () =>
      startServer({
        configPath,
        drainMs: 1000,
        replicationConnectTo: (host, port) => ({
          host: host.endsWith(".cairn.test") ? "127.0.0.1" : host,
          port,
        }),
      });
    const node: MeshNode = {
      name,
      replicationPort,
      server: await launch(),
      stop: () => node.server.close(),
      async start() {
        node.server = await launch();
      },
      async bind(address, mxid) {
        const { deps } = node.server;
        const ts = deps.clock.now() - 1;
        const row = await deps.store.associations.upsertLocal({
          ...email(address),
          mxid,
          ts,
          notBefore: ts,
          notAfter: ts + ASSOCIATION_LIFETIME_MS,
          lookupHash: lookupHash(address, "email", deps.pepper),
        });
        await localPush(deps);
        deps.replication.poke();
        return row.id;
      },
      async unbind(address, mxid) {
        const { deps } = node.server;
        await deps.store.associations.tombstoneLocal(email(address), mxid, deps.clock.now());
        await localPush(deps);
        deps.replication.poke();
      },
      lookup: (address) => node.server.deps.store.associations.lookup(email(address), Date.now()),
    };
    nodes.push(node);
  }
  return {
    nodes,
    async connectAll() {
      for (const node of nodes) {
        for (const other of nodes) {
          if (other === node) continue;
          await node.server.deps.store.peers.add({
            name: other.name,
            port: other.replicationPort,
            active: true,
            publicKeys: { ed25519: other.server.deps.serverKey.publicKeyBase64 },
          });
        }
      }
    },
    async close() {
      for (const node of nodes) await node.stop();
      for (const schema of schemas) await schema.cleanup();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
