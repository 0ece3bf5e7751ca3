// The Prometheus listener of a running server, scraped before and after real traffic (an email
// validation sent to a real SMTP server, a lookup, an unknown path): every family is there, counters
// rose by what was done, the latency histogram has the observations, process metrics are plausible.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, test } from "node:test";
import { startServer } from "../main.js";
import { iniText } from "../../test/deps.js";
import { emailConf } from "../../test/mail.js";
import { freePort } from "../../test/process.js";
import { startSmtpServer } from "../../test/smtp.js";

type Samples = Map<string, number>;

/** The exposition's samples by `name{labels}` as written. */
function parse(text: string): Samples {
  const samples: Samples = new Map();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const cut = line.lastIndexOf(" ");
    samples.set(line.slice(0, cut), Number(line.slice(cut + 1)));
  }
  return samples;
}

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

test("a scrape after real traffic shows each family with plausible values", async () => {
  const smtp = await startSmtpServer();
  const cwd = mkdtempSync(join(tmpdir(), "cairn-metrics-"));
  dirs.push(cwd);
  const metricsPort = await freePort();
  const mail = emailConf(smtp.port, "https://id.cairn.test");
  writeFileSync(
    join(cwd, "sydent.conf"),
    iniText({
      ...mail,
      general: {
        "server.name": "metrics.example.org",
        "templates.path": fileURLToPath(new URL("../../res", import.meta.url)),
        "brand.default": "cairn",
        "pidfile.path": "",
        prometheus_addr: "127.0.0.1",
        prometheus_port: metricsPort,
        "log.level": "WARNING",
      },
      db: { "db.file": join(cwd, "sydent.db") },
      http: { ...mail.http, "clientapi.http.bind_address": "127.0.0.1", "clientapi.http.port": 0 },
    }),
  );
  const server = await startServer({ configPath: join(cwd, "sydent.conf"), drainMs: 500 });
  const scrape = async () => {
    const res = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    return { text, samples: parse(text) };
  };
  try {
    const before = await scrape();
    const rose = (key: string) => (later.samples.get(key) ?? 0) - (before.samples.get(key) ?? 0);

    const v1 = `${server.clientUrl}/_matrix/identity/api/v1`;
    const token = await fetch(`${v1}/validate/email/requestToken`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ email: "metrics@example.org", client_secret: "secret-1", send_attempt: 1 }),
    });
    assert.equal(token.status, 200);
    for (let i = 0; i < 2; i++) {
      const lookup = await fetch(`${v1}/lookup?medium=email&address=nobody@example.org`);
      assert.equal(lookup.status, 200);
    }
    assert.equal((await fetch(`${server.clientUrl}/_matrix/identity/v2/nowhere`)).status, 404);
    assert.equal(smtp.received.length, 1);

    const later = await scrape();
    // Sydent's families, with Sydent's servlet names.
    assert.equal(
      rose('sydent_http_received_requests_total{servlet="EmailRequestCodeServlet",method="POST"}'),
      1,
    );
    assert.equal(rose('sydent_http_received_requests_total{servlet="LookupServlet",method="GET"}'), 2);
    assert.equal(rose("sydent_emails_sent_total"), 1);
    assert.ok(![...later.samples.keys()].some((k) => k.includes("nowhere")), "404s are not counted by path");

    // The latency histogram, per route pattern; unknown paths share one series.
    const lookup = 'route="/_matrix/identity/api/v1/lookup",method="GET",status="200"';
    assert.equal(rose(`cairn_http_request_duration_seconds_count{${lookup}}`), 2);
    assert.equal(rose(`cairn_http_request_duration_seconds_bucket{le="+Inf",${lookup}}`), 2);
    const spent = rose(`cairn_http_request_duration_seconds_sum{${lookup}}`);
    assert.ok(spent > 0 && spent < 10, `lookups took ${spent} s`);
    const token200 =
      'route="/_matrix/identity/api/v1/validate/email/requestToken",method="POST",status="200"';
    assert.equal(rose(`cairn_http_request_duration_seconds_count{${token200}}`), 1);
    assert.equal(
      rose('cairn_http_request_duration_seconds_count{route="(unmatched)",method="GET",status="404"}'),
      1,
    );

    // Node's process metrics.
    const started = later.samples.get("process_start_time_seconds") ?? 0;
    assert.ok(Math.abs(started - Date.now() / 1000) < 3600, `process started at ${started}`);
    assert.ok((later.samples.get("process_resident_memory_bytes") ?? 0) > 10 * 1024 * 1024);
    assert.ok((later.samples.get("process_cpu_user_seconds_total") ?? 0) > 0);
    assert.ok((later.samples.get("nodejs_heap_size_used_bytes") ?? 0) > 0);
    assert.ok([...later.samples.keys()].some((k) => k.startsWith("nodejs_eventloop_lag_seconds")));

    // Families without traffic yet are declared; the pool gauge has no series on SQLite.
    for (const family of [
      "cairn_sms_sent_total",
      "cairn_onbind_deliveries_total",
      "cairn_onbind_queue_depth",
      "cairn_replication_peer_behind",
      "cairn_replication_pushes_total",
      "cairn_db_pool_connections",
    ]) {
      assert.match(later.text, new RegExp(`^# TYPE ${family} `, "m"), family);
    }
    assert.ok(![...later.samples.keys()].some((k) => k.startsWith("cairn_db_pool_connections")));
  } finally {
    await server.close();
    await smtp.close();
  }
});
