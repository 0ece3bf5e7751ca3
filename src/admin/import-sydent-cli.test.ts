// `cairn import-sydent` as the operator runs it: its summary, its advice and its exit status, in the
// real process and (for the quick cases) in this one.

import assert from "node:assert/strict";
import { chmodSync } from "node:fs";
import { tmpdir } from "node:os";
import { test } from "node:test";
import pg from "pg";
import { createTestSchema, skipWithoutPostgres } from "../../test/postgres.js";
import { runCairn } from "../../test/process.js";
import { tempDatabase } from "../../test/sqlite-files.js";
import { systemClock } from "../clock.js";
import { cryptoRandom } from "../crypto/random.js";
import { importSydentCommand } from "./import-sydent-cli.js";

async function run(args: string[]): Promise<{ code: number | null; output: string }> {
  const proc = runCairn(["import-sydent", ...args], { cwd: tmpdir() });
  const code = await proc.exited;
  return { code, output: proc.output() };
}

/** The command in this process, its output captured. */
async function runHere(args: string[]): Promise<{ code: number; output: string }> {
  let output = "";
  const io = { out: (text: string) => (output += text), err: (text: string) => (output += text) };
  const code = await importSydentCommand(args, io, { clock: systemClock, random: cryptoRandom });
  return { code, output };
}

test("usage mistakes exit with status 2 and the usage text", async () => {
  const missing = await runHere(["--from", "sydent.db"]);
  assert.equal(missing.code, 2);
  assert.match(missing.output, /both --from and --to are needed/);
  assert.match(missing.output, /Usage: cairn import-sydent --from PATH --to URL/);
  const notPostgres = await runHere(["--from", "sydent.db", "--to", "mysql://localhost/db"]);
  assert.equal(notPostgres.code, 2);
  assert.match(notPostgres.output, /--to must be a postgres:\/\/ URL/);
  const extra = await runHere(["--from", "a", "--to", "postgres://x/y", "now"]);
  assert.equal(extra.code, 2);
  assert.match(extra.output, /unexpected argument: now/);
});

test(
  "an import prints the counts and the config to write; a difference exits with status 1",
  { skip: skipWithoutPostgres },
  async () => {
    const file = tempDatabase("current", "sydent.db");
    chmodSync(file.path, 0o444);
    const schema = await createTestSchema();
    try {
      const first = await run(["--from", file.path, "--to", schema.url]);
      assert.equal(first.code, 0, first.output);
      assert.match(first.output, /global_threepid_associations +9 +9 +ok/);
      assert.match(first.output, /lookup pepper: ok/);
      assert.match(first.output, /lookups of 9 sampled bindings: same answers/);
      assert.match(first.output, /\[postgres\]\n {2}url = postgres:\/\//);
      assert.match(first.output, /Keep \[crypto\] ed25519\.signingkey exactly as it is/);

      const client = new pg.Client({ connectionString: schema.url });
      await client.connect();
      await client.query("DELETE FROM tokens WHERE token = (SELECT min(token) FROM tokens)");
      await client.end();
      const second = await run(["--from", file.path, "--to", schema.url]);
      assert.equal(second.code, 1);
      assert.match(second.output, /tokens +3 +2 +DIFFERENT/);
      assert.match(second.output, /the copy differs from the SQLite database/);
      assert.doesNotMatch(second.output, /\[postgres\]/);
    } finally {
      await schema.cleanup();
      file.remove();
    }
  },
);

test("a refused target is one line, no stack, status 1", { skip: skipWithoutPostgres }, async () => {
  const file = tempDatabase("current", "sydent.db");
  const schema = await createTestSchema();
  try {
    const client = new pg.Client({ connectionString: schema.url });
    await client.connect();
    await client.query("CREATE TABLE events (id int)");
    await client.end();
    const { code, output } = await runHere(["--from", file.path, "--to", schema.url]);
    assert.equal(code, 1);
    assert.match(
      output,
      /cairn import-sydent: the target schema "cairn_test_\w+" already holds tables that are not Cairn's \(events\)/,
    );
    assert.doesNotMatch(output, /\n\s+at /);
  } finally {
    await schema.cleanup();
    file.remove();
  }
});
