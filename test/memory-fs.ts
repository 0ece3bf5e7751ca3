// An in-memory ConfigFs for configuration tests: files by absolute path, a set of directories, and a
// record of every write.
import type { ConfigFs, LoadConfigOptions } from "../src/config/load.js";

export class MemoryFs implements ConfigFs {
  readonly files = new Map<string, string>();
  readonly directories = new Set<string>();
  readonly writes: { path: string; text: string }[] = [];
  /** Paths whose reads fail as an unreadable file would. */
  readonly unreadable = new Set<string>();

  constructor(files: Record<string, string> = {}, directories: string[] = []) {
    for (const [path, text] of Object.entries(files)) this.files.set(path, text);
    for (const dir of directories) this.directories.add(dir);
  }

  readText(path: string): string | null {
    if (this.unreadable.has(path)) throw new Error(`EACCES: permission denied, open '${path}'`);
    return this.files.get(path) ?? null;
  }

  writeText(path: string, text: string): void {
    this.writes.push({ path, text });
    this.files.set(path, text);
  }

  isDirectory(path: string): boolean {
    return this.directories.has(path);
  }
}

export const CWD = "/srv/sydent";
export const HOSTNAME = "machine";
export const FQDN = "machine.example.net";
/** The seed every test load generates (bytes 0x07). */
export const GENERATED_SEED = Buffer.alloc(32, 7);

/** Options for loadConfig over `fs`, with fixed machine names and seed, run in CWD. */
export function loadOptions(fs: MemoryFs, extra: Partial<LoadConfigOptions> = {}): LoadConfigOptions {
  return {
    cwd: CWD,
    env: {},
    fs,
    hostname: () => HOSTNAME,
    fqdn: async () => FQDN,
    generateSeed: () => Buffer.from(GENERATED_SEED),
    ...extra,
  };
}
