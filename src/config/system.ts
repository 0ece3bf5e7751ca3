// The real machine behind loadConfig's injected dependencies: process environment and working
// directory, node:fs, the host's names and the system's random generator.
import { randomBytes } from "node:crypto";
import { promises as dns } from "node:dns";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import type { ConfigFs, LoadConfigOptions } from "./load.js";

const isNotFound = (err: unknown): boolean =>
  err instanceof Error && "code" in err && (err.code === "ENOENT" || err.code === "ENOTDIR");

export const nodeConfigFs: ConfigFs = {
  readText(path) {
    try {
      return readFileSync(path, "utf8");
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  },
  // An existing file keeps its permissions; a new one (it holds the signing key) is private to its owner.
  writeText(path, text) {
    writeFileSync(path, text, { mode: 0o600 });
  },
  isDirectory(path) {
    try {
      return statSync(path).isDirectory();
    } catch {
      return false;
    }
  },
};

/**
 * The host's fully qualified name, as Python's `socket.getfqdn()` finds it: the host name resolved
 * to an address and back; the plain host name when that gives nothing with a dot in it.
 */
export async function machineFqdn(): Promise<string> {
  const host = hostname();
  try {
    const { address } = await dns.lookup(host);
    const { hostname: name } = await dns.lookupService(address, 0);
    return name.includes(".") ? name : host;
  } catch {
    return host;
  }
}

/** loadConfig options for this process (the caller adds `path` and `casefold`). */
export function systemLoadOptions(): LoadConfigOptions {
  return {
    cwd: process.cwd(),
    env: process.env,
    fs: nodeConfigFs,
    hostname,
    fqdn: machineFqdn,
    generateSeed: () => randomBytes(32),
  };
}
