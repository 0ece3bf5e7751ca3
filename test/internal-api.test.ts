// The internal API with the real `cairn` process: its own listener on internalapi.http.*, binds and
// unbinds without proof, and what it binds is found by lookups on the client port; without a port,
// no listener.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { verifySignedJson } from "../src/crypto/signed-json.js";
import { decodeBase64 } from "../src/crypto/base64.js";
import { startServer } from "../src/main.js";
import { iniText, type IniSections } from "./deps.js";
import { freePort, serveCairn } from "./process.js";

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

async function install(internal: string): Promise<string> {
  const cwd = mkdtempSync(join(tmpdir(), "cairn-internal-"));
  dirs.push(cwd);
  const port = await freePort();
  writeFileSync(
    join(cwd, "sydent.conf"),
    `[general]\nserver.name = internal.example.org\n[http]\nclientapi.http.port = ${port}\n${internal}`,
  );
  return cwd;
}

const post = (url: string, body: unknown) =>
  fetch(url, { method: "POST", body: JSON.stringify(body) }).then(async (res) => ({
    status: res.status,
    type: res.headers.get("content-type"),
    body: (await res.json()) as Record<string, unknown>,
  }));

describe("the internal API", () => {
  test("binds and unbinds on its own port; lookups on the client port see it", async () => {
    const internalPort = await freePort();
    const cwd = await install(
      `internalapi.http.port = ${internalPort}\ninternalapi.http.bind_address = 127.0.0.1\n`,
    );
    const server = await serveCairn([], { cwd });
    try {
      const internal = `http://127.0.0.1:${internalPort}/_matrix/identity/internal`;
      const threepid = { medium: "email", address: "Bob@Example.ORG" };
      const bound = await post(`${internal}/bind`, { ...threepid, mxid: "@bob:example.org" });
      assert.equal(bound.status, 200, JSON.stringify(bound.body));
      assert.match(String(bound.type), /^application\/json/);
      assert.equal(bound.body.address, "bob@example.org");
      const pub = (await (await fetch(`${server.url}/_matrix/identity/v2/pubkey/ed25519:0`)).json()) as {
        public_key: string;
      };
      const verified = verifySignedJson(
        bound.body,
        "internal.example.org",
        "ed25519:0",
        decodeBase64(pub.public_key),
      );
      assert.deepEqual(verified, { ok: true });

      await sleep(5); // a binding is valid strictly after its not_before
      const lookup = `${server.url}/_matrix/identity/api/v1/lookup?medium=email&address=bob@example.org`;
      const found = (await (await fetch(lookup)).json()) as { mxid?: string };
      assert.equal(found.mxid, "@bob:example.org");
      // The client port does not serve the internal API.
      const outside = await post(`${server.url}/_matrix/identity/internal/bind`, {
        ...threepid,
        mxid: "@x:y",
      });
      assert.equal(outside.status, 404);

      const missing = await post(`${internal}/unbind`, { medium: "email" });
      assert.deepEqual([missing.status, missing.body.errcode], [400, "M_MISSING_PARAMS"]);
      const unbound = await post(`${internal}/unbind`, { ...threepid, mxid: "@bob:example.org" });
      assert.deepEqual([unbound.status, unbound.body], [200, {}]);
      assert.deepEqual(await (await fetch(lookup)).json(), {});
    } finally {
      assert.equal(await server.stop(), 0);
    }
  });

  test("no internalapi.http.port: no internal listener (internalUrl null)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cairn-internal-"));
    dirs.push(dir);
    const configPath = join(dir, "sydent.conf");
    const general = { "server.name": "x.example.org", "log.level": "ERROR", "pidfile.path": "" };
    const conf = (http: IniSections["http"]) =>
      iniText({ general, db: { "db.file": join(dir, "sydent.db") }, http });
    writeFileSync(configPath, conf({ "clientapi.http.bind_address": "127.0.0.1", "clientapi.http.port": 0 }));
    const server = await startServer({ configPath });
    try {
      assert.equal(server.internalUrl, null);
    } finally {
      await server.close();
    }
  });
});
