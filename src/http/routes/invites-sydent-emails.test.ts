// Sydent's recorded invitations replayed over HTTP: the request Sydent received, with Sydent's
// templates (derived from its recorded renderings, test/derive-template.ts), its clock and the
// random values it drew, must give Sydent's response and, on a real SMTP server, Sydent's message
// byte for byte, but for two deliberate differences: CRLF line ends and `{hostname}` in the sender
// replaced by `email.hostname`.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { buildApp } from "../../app.js";
import { decodeBase64 } from "../../crypto/base64.js";
import type { Random } from "../../crypto/random.js";
import { createSenders } from "../../senders/senders.js";
import { engines, testDeps } from "../../../test/deps.js";
import { deriveJinja, deriveLegacy } from "../../../test/derive-template.js";
import { fixturePath } from "../../../test/fixtures.js";
import { aliceAuth, ALICE_TOKEN } from "../../../test/invites.js";
import { CWD } from "../../../test/memory-fs.js";
import { startSmtpServer } from "../../../test/smtp.js";

interface Recorded {
  vars: Record<string, string>;
  extra_vars_for_legacy_template: Record<string, string> | null;
  smtp_envelope: { rcpt_to_line: string };
  trigger: { request: { path: string; body: Record<string, unknown> }; response_json: unknown };
}

const BRANDS = ["matrix-org", "vector-im"];
const NAMES = ["invite", "invite-space"];
const ENGINES = { "eml.j2": ".j2", "eml-legacy": "" } as const;
const read = (...parts: string[]) => readFileSync(fixturePath("emails", ...parts), "utf8");

/** Hands out exactly the values Sydent drew, in the order Cairn asks for them. */
class ReplayRandom implements Random {
  strings: string[] = [];
  seeds: Buffer[] = [];
  string(length: number): string {
    const next = this.strings.shift();
    assert.equal(next?.length, length);
    return next ?? "";
  }
  bytes(n: number): Buffer {
    const next = this.seeds.shift();
    assert.equal(next?.length, n);
    return next ?? Buffer.alloc(n);
  }
  int(): number {
    throw new Error("not drawn by invitations");
  }
}

const scratch = mkdtempSync(join(tmpdir(), "cairn-sydent-invites-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

for (const engine of engines()) {
  for (const [folder, suffix] of Object.entries(ENGINES)) {
    describe(`Sydent's ${folder} invitations replayed on ${engine}`, () => {
      test("the same response and the same message", async () => {
        const root = join(scratch, `${engine}-${folder}`);
        const recorded = new Map<string, Recorded & { brand: string; name: string }>();
        for (const brand of BRANDS) {
          for (const name of NAMES) {
            // A derived template is the recorded text: one brand folder per recorded message.
            const file = JSON.parse(read(brand, folder, `${name}.vars.json`)) as Recorded;
            const folderName = `${brand}-${name}`;
            recorded.set(folderName, { ...file, brand, name });
            const rendered = read(brand, folder, `${name}.rendered`);
            const { vars, extra_vars_for_legacy_template: extra } = file;
            const template = suffix
              ? deriveJinja(rendered, vars)
              : deriveLegacy(rendered, { ...vars, ...extra });
            mkdirSync(join(root, folderName), { recursive: true });
            writeFileSync(join(root, folderName, `invite_template.eml${suffix}`), template.template);
          }
        }
        const smtp = await startSmtpServer();
        const deps = await testDeps({
          engine,
          conf: {
            general: { "server.name": "fixture.example.org", "templates.path": root },
            http: { client_http_base: "https://fixture.example.org" },
            email: {
              "email.smtphost": "127.0.0.1",
              "email.smtpport": smtp.port,
              "email.hostname": "fixture.example.org",
              "email.ratelimit_sender.burst": 100,
            },
          },
        });
        const random = new ReplayRandom();
        const senders = createSenders(deps.config, { ...deps, cwd: CWD, random });
        const app = buildApp({ ...deps, ...senders, random, auth: aliceAuth });
        try {
          for (const [key, file] of recorded) {
            const url = file.trigger.request.path.replace(`brand=${file.brand}`, `brand=${key}`);
            const { vars, trigger } = file;
            const boundary =
              vars.multipart_boundary ?? file.extra_vars_for_legacy_template?.multipart_boundary;
            const messageId = /^<(\d+)([A-Za-z]{16})@/.exec(vars.messageid ?? "");
            random.strings = [vars.token ?? "", messageId?.[2] ?? "", boundary ?? ""];
            random.seeds = [decodeBase64(vars.ephemeral_private_key ?? "")];
            deps.clock.set(Number(messageId?.[1]));
            const before = smtp.received.length;
            const res = await app.inject({
              method: "POST",
              url,
              headers: trigger.request.path.includes("/v2/")
                ? { authorization: `Bearer ${ALICE_TOKEN}` }
                : {},
              payload: trigger.request.body,
            });
            assert.equal(res.statusCode, 200, `${key}: ${res.body}`);
            assert.deepEqual(res.json(), trigger.response_json, key);
            const mail = smtp.received[before];
            assert.deepEqual(mail?.to, [/<(.*)>/.exec(file.smtp_envelope.rcpt_to_line)?.[1]], key);
            const sydent = read(file.brand, folder, `${file.name}.rendered`)
              .replaceAll("noreply@{hostname}", "noreply@fixture.example.org")
              .replaceAll("\n", "\r\n");
            assert.equal(mail?.data.toString("utf8"), `${sydent.replace(/\r\n$/, "")}\r\n`, key);
          }
        } finally {
          await smtp.close();
          await deps.cleanup();
        }
      });
    });
  }
}
