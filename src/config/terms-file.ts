// The terms file named by `[general] terms.path`, read at start and followed while running.
//
// At start a missing, unreadable or malformed file stops the server with every problem listed
// (Sydent starts anyway and then answers 500 to every gated request). While running, the file is
// checked at most once a second (a stat; read again only when it changed), so edits apply without
// a restart; an edit that breaks the file is logged once and the last good terms stay in force:
// requests never fail because of it.
import { readFile, stat } from "node:fs/promises";
import { resolve } from "node:path";
import type { Logger } from "pino";
import type { Clock } from "../clock.js";
import type { Terms, TermsProvider } from "../domain/terms.js";
import { noTerms } from "../domain/terms.js";
import { ConfigError, type ConfigProblem } from "./problems.js";
import { parseTermsYaml, type TermsProblem } from "./terms-yaml.js";
import type { Config } from "./types.js";

/** How often, at most, the file is checked for changes. */
export const TERMS_RECHECK_MS = 1000;

const utf8 = new TextDecoder("utf-8", { fatal: true });

type Read = { ok: true; terms: Terms } | { ok: false; problems: TermsProblem[] };

async function readTerms(file: string): Promise<Read> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    return { ok: false, problems: [{ message: `cannot read the file: ${describe(err)}` }] };
  }
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { ok: false, problems: [{ message: "the file is not valid UTF-8" }] };
  }
  return parseTermsYaml(text);
}

/** What changes when the file is edited or replaced. */
async function fingerprint(file: string): Promise<string> {
  const s = await stat(file, { bigint: true });
  return `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
}

class WatchedTermsFile implements TermsProvider {
  private checkedAt: number;
  private checking: Promise<void> | null = null;

  constructor(
    private readonly file: string,
    private terms: Terms,
    private seen: string,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {
    this.checkedAt = clock.now();
  }

  async current(): Promise<Terms> {
    const now = this.clock.now();
    if (!this.checking && (now - this.checkedAt >= TERMS_RECHECK_MS || now < this.checkedAt)) {
      this.checkedAt = now;
      this.checking = this.recheck().finally(() => (this.checking = null));
    }
    // Requests arriving during a check wait for it, so none sees older terms than an earlier one.
    if (this.checking) await this.checking;
    return this.terms;
  }

  private async recheck(): Promise<void> {
    let print: string;
    try {
      print = await fingerprint(this.file);
    } catch (err) {
      if (this.seen !== "gone") {
        this.log.error(
          { file: this.file, reason: describe(err) },
          "the terms file is gone; keeping the last terms",
        );
      }
      this.seen = "gone";
      return;
    }
    if (print === this.seen) return;
    this.seen = print;
    const read = await readTerms(this.file);
    if (!read.ok) {
      const problems = read.problems.map((p) => formatTermsProblem(this.file, p));
      this.log.error(
        { file: this.file, problems },
        "the terms file has problems; keeping the last good terms",
      );
      return;
    }
    this.terms = read.terms;
    this.log.info({ file: this.file, master_version: read.terms.masterVersion }, "terms file reloaded");
  }
}

function formatTermsProblem(file: string, p: TermsProblem): string {
  return `${p.line === undefined ? file : `${file}:${p.line}`}: ${p.message}`;
}

/**
 * The terms in force for `config`: none when `terms.path` is empty, else the file, checked now
 * (ConfigError listing every problem) and followed from then on.
 */
export async function openTermsFile(
  config: Pick<Config, "path" | "general">,
  clock: Clock,
  log: Logger,
): Promise<TermsProvider> {
  if (config.general.termsPath === "") return noTerms;
  const file = resolve(config.general.termsPath);
  let seen: string;
  try {
    seen = await fingerprint(file);
  } catch (err) {
    const message = `cannot read the terms file ${file}: ${describe(err)}`;
    throw new ConfigError([{ file: config.path, section: "general", key: "terms.path", message }]);
  }
  const read = await readTerms(file);
  if (!read.ok) {
    throw new ConfigError(read.problems.map((p): ConfigProblem => ({ file, ...p })));
  }
  return new WatchedTermsFile(file, read.terms, seen, clock, log);
}

/** A file-system error in plain words, without repeating the path. */
function describe(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === "ENOENT") return "no such file";
  if (code === "EACCES") return "permission denied";
  if (code === "EISDIR") return "it is a directory";
  return err instanceof Error ? err.message : String(err);
}
