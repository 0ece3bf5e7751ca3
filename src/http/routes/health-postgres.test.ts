// Readiness with a real PostgreSQL that becomes unreachable and comes back: the server reaches the
// database through a TCP relay on loopback that the test cuts (open connections reset, new ones
// refused at once), holds (nothing answers) and restores, as a network partition, a database restart
// or a hung database look to Cairn.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, connect, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { startServer } from "../../main.js";
import { READY_TIMEOUT_MS } from "./health.js";
import { iniText } from "../../../test/deps.js";
import { createTestSchema, postgresUrl, skipWithoutPostgres } from "../../../test/postgres.js";
import { freePort } from "../../../test/process.js";

interface Relay {
  port: number;
  /** Resets every relayed connection and refuses new ones until `restore()`. */
  cut(): void;
  /** Stops passing bytes either way (a database that hangs) until `restore()`. */
  hold(): void;
  restore(): void;
  close(): Promise<void>;
}

async function startRelay(target: { host: string; port: number }): Promise<Relay> {
  const sockets = new Set<Socket>();
  const waiting: Socket[] = [];
  let state: "open" | "cut" | "held" = "open";
  const relay = (client: Socket) => {
    const upstream = connect(target.port, target.host);
    for (const [a, b] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      sockets.add(a);
      a.on("error", () => b.destroy());
      a.on("close", () => {
        sockets.delete(a);
        b.destroy();
      });
      a.pipe(b);
    }
  };
  const server: Server = createServer((client) => {
    if (state === "cut") return client.resetAndDestroy();
    if (state === "held") return void waiting.push(client.pause());
    relay(client);
  });
  server.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const { port } = server.address() as { port: number };
  return {
    port,
    cut() {
      state = "cut";
      for (const socket of sockets) socket.resetAndDestroy();
    },
    hold() {
      state = "held";
      for (const socket of sockets) socket.pause();
    },
    restore() {
      state = "open";
      for (const socket of sockets) socket.resume();
      for (const client of waiting.splice(0)) relay(client.resume());
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe("readiness on PostgreSQL", { skip: skipWithoutPostgres }, () => {
  test("ready flips to 503 while the database is unreachable, health stays 200, both recover", async () => {
    const schema = await createTestSchema();
    const direct = new URL(postgresUrl() ?? "");
    const relay = await startRelay({ host: direct.hostname, port: Number(direct.port || 5432) });
    const url = new URL(schema.url);
    url.hostname = "127.0.0.1";
    url.port = String(relay.port);
    const cwd = mkdtempSync(join(tmpdir(), "cairn-ready-"));
    dirs.push(cwd);
    const metricsPort = await freePort();
    writeFileSync(
      join(cwd, "sydent.conf"),
      iniText({
        general: {
          "server.name": "ready.example.org",
          "pidfile.path": "",
          prometheus_addr: "127.0.0.1",
          prometheus_port: metricsPort,
          "log.level": "WARNING",
        },
        http: { "clientapi.http.bind_address": "127.0.0.1", "clientapi.http.port": 0 },
        postgres: { url: url.toString().replaceAll("%", "%%"), pool_size: 3 },
      }),
    );
    const server = await startServer({ configPath: join(cwd, "sydent.conf"), drainMs: 500 });
    const base = server.clientUrl;
    const get = async (path: string) => {
      const res = await fetch(`${base}${path}`);
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    try {
      assert.deepEqual(await get("/_cairn/ready"), { status: 200, body: { status: "ready" } });
      const scrape = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      const total = /^cairn_db_pool_connections\{state="total"\} (\d+)$/m.exec(scrape)?.[1];
      assert.ok(Number(total) >= 1 && Number(total) <= 3, `pool connections: ${total}`);
      assert.match(scrape, /^cairn_db_pool_connections\{state="waiting"\} 0$/m);

      relay.cut();
      const down = await get("/_cairn/ready");
      assert.equal(down.status, 503);
      assert.deepEqual(down.body, { errcode: "M_UNKNOWN", error: "The database is not reachable" });
      assert.deepEqual(await get("/_cairn/health"), { status: 200, body: { status: "ok" } });
      assert.equal((await get("/_cairn/ready")).status, 503, "still down while cut");

      relay.restore();
      let ready = await get("/_cairn/ready");
      for (let i = 0; i < 40 && ready.status !== 200; i++) {
        await sleep(50);
        ready = await get("/_cairn/ready");
      }
      assert.deepEqual(ready, { status: 200, body: { status: "ready" } });
      assert.equal((await get("/_matrix/identity/v2/hash_details")).status, 401, "the API works again");

      relay.hold();
      const started = Date.now();
      const hung = await get("/_cairn/ready");
      assert.deepEqual(hung, {
        status: 503,
        body: { errcode: "M_UNKNOWN", error: `The database did not answer within ${READY_TIMEOUT_MS} ms` },
      });
      assert.ok(Date.now() - started < READY_TIMEOUT_MS + 3000, "a hanging database does not hang the probe");
      relay.restore();
      assert.deepEqual(await get("/_cairn/ready"), { status: 200, body: { status: "ready" } });
    } finally {
      await server.close();
      await relay.close();
      await schema.cleanup();
    }
  });
});
