// `cairn import-sydent --from sydent.db --to postgres://...`: runs the import (store/import-sydent.ts),
// prints a table of row counts and the lookup comparison, and tells the operator what to change in
// sydent.conf. Exit status: 0 verified, 1 failed or differences found, 2 usage mistakes.

import type { Clock } from "../clock.js";
import { takeOption, UsageError } from "./args.js";
import { lookupHash } from "../crypto/lookup-hash.js";
import { ALPHANUMERIC, type Random } from "../crypto/random.js";
import { PEPPER_LENGTH } from "../domain/pepper.js";
import { importSydent, type ImportReport } from "../store/import-sydent.js";

export const IMPORT_USAGE = `Usage: cairn import-sydent --from PATH --to URL

  Copies the SQLite database PATH (Sydent's or Cairn's sydent.db, only ever read) into the empty
  PostgreSQL database URL (postgres://user:password@host:port/database), then compares row counts
  and a sample of lookups on both. Stop Sydent (or Cairn) first. Run it again after an interruption:
  it continues where it stopped.
`;

export interface ImportIo {
  out(text: string): void;
  err(text: string): void;
}

/** The URL with its password hidden, for printing. */
function shown(url: string): string {
  const copy = new URL(url);
  if (copy.password !== "") copy.password = "****";
  return copy.toString();
}

function summary(report: ImportReport): string {
  const rows = [
    ["table", "sqlite", "postgres", ""],
    ...report.counts.map((c) => [
      c.table,
      String(c.sqlite),
      String(c.postgres),
      c.sqlite === c.postgres ? "ok" : "DIFFERENT",
    ]),
  ];
  const widths = [0, 1, 2].map((col) => Math.max(...rows.map((r) => (r[col] ?? "").length)));
  const lines = rows.map(([table = "", a = "", b = "", state = ""]) =>
    `  ${table.padEnd(widths[0] ?? 0)}  ${a.padStart(widths[1] ?? 0)}  ${b.padStart(widths[2] ?? 0)}  ${state}`.trimEnd(),
  );
  const pepper = report.pepper.sqlite === report.pepper.postgres ? "ok" : "DIFFERENT";
  const { sampled, differences } = report.lookups;
  lines.push(`  lookup pepper: ${pepper}`);
  lines.push(
    `  v1, bulk and hashed lookups of ${sampled} sampled bindings: ` +
      (differences.length === 0 ? "same answers" : `${differences.length} DIFFERENT`),
  );
  for (const difference of differences) lines.push(`    ${difference} differs`);
  return lines.join("\n") + "\n";
}

function configAdvice(to: string): string {
  const url = shown(to);
  const password = url === to ? "" : " (put the real password where **** is)";
  return `
The import is verified. To run Cairn on PostgreSQL, add this to sydent.conf${password}, and leave
everything else as it is (each % of the URL is written %%, as the config file needs):

  [postgres]
  url = ${url.replaceAll("%", "%%")}

Keep [crypto] ed25519.signingkey exactly as it is: the signing key lives in sydent.conf, not in the
database, and every stored signed association and invitation was signed with it. [db] db.file is no
longer read; keep the SQLite file as the way back to Sydent.
`;
}

function parseArgs(argv: string[]): { from: string; to: string } {
  const args = [...argv];
  const from = takeOption(args, "--from");
  const to = takeOption(args, "--to");
  if (args.length > 0) throw new UsageError(`unexpected argument: ${args[0]}`);
  if (from === undefined || to === undefined) throw new UsageError("both --from and --to are needed");
  const protocol = URL.canParse(to) ? new URL(to).protocol : "";
  if (protocol !== "postgres:" && protocol !== "postgresql:")
    throw new UsageError("--to must be a postgres:// URL");
  return { from, to };
}

/** `cairn import-sydent ...`; returns the exit status. */
export async function importSydentCommand(
  argv: string[],
  io: ImportIo,
  deps: { clock: Clock; random: Random },
): Promise<number> {
  let from: string;
  let to: string;
  try {
    ({ from, to } = parseArgs(argv));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.err(`cairn import-sydent: ${err.message}\n\n${IMPORT_USAGE}`);
    return 2;
  }
  io.out(`Copying ${from} into ${shown(to)}\n`);
  const printed = new Map<string, number>();
  try {
    const report = await importSydent({
      from,
      to,
      newPepper: () => deps.random.string(PEPPER_LENGTH, ALPHANUMERIC),
      hash: lookupHash,
      now: deps.clock.now(),
      onBatch: (table, copied) => {
        if (copied - (printed.get(table) ?? 0) < 100_000) return;
        printed.set(table, copied);
        io.out(`  ${table}: ${copied} rows copied\n`);
      },
    });
    if (report.resumed) io.out("Continued an earlier, interrupted import.\n");
    if (report.pepperCreated)
      io.out("The file had no lookup pepper yet: one was created, as Sydent does on its first start.\n");
    if (report.upgradedInMemory)
      io.out(
        `The file's schema (version ${report.fileVersion}) was upgraded in memory; the file is unchanged.\n`,
      );
    io.out(summary(report));
    if (!report.ok) {
      io.err("cairn import-sydent: the copy differs from the SQLite database (see above)\n");
      return 1;
    }
    io.out(configAdvice(to));
    return 0;
  } catch (err) {
    // The operator's mistakes (ImportError) and PostgreSQL's refusals (permissions, ...) alike: a
    // message, no stack.
    io.err(`cairn import-sydent: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}
